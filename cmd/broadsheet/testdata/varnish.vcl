# Varnish in front of Broadsheet: it keeps public pages as their Cache-Control allows
# (s-maxage), and drops them by surrogate key when Broadsheet sends
#   BAN / with "Surrogate-Key: story-12 front"   (or "X-Purge: all" for everything)
# which `broadsheet serve --purge varnish://HOST:PORT` does whenever pages change.
# The test fills in the backend; in production, name the site's address and the purgers.
vcl 4.1;

backend default {
    .host = "{{.Host}}";
    .port = "{{.Port}}";
}

# Only the site may purge.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "BAN") {
        if (!client.ip ~ purgers) {
            return (synth(405, "Not allowed"));
        }
        if (req.http.X-Purge == "all") {
            ban("obj.status != 0");
            return (synth(200, "Banned everything"));
        }
        if (req.http.Surrogate-Key !~ "^[A-Za-z0-9_ -]+$") {
            return (synth(400, "Surrogate-Key required"));
        }
        ban("obj.http.Surrogate-Key ~ (^|\s)(" + regsuball(regsuball(req.http.Surrogate-Key, "^ +| +$", ""), " +", "|") + ")(\s|$)");
        return (synth(200, "Banned"));
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
