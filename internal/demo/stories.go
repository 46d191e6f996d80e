package demo

import (
	"time"

	"github.com/broadsheet/broadsheet/internal/article"
)

// day is a calendar day for the stories' ages.
const day = 24 * time.Hour

// story is one demo story as written; newsroom turns it into an article.Article.
type story struct {
	slug, title, standfirst string
	// section is a key of sections; authors are keys of authors.
	section string
	authors []string
	tags    []string
	// ago is how long before now the story was published; negative means scheduled.
	ago            time.Duration
	image          bool
	commentsClosed bool
	notes          []note
	// body is Markdown; newsroom puts the sample-content notice before it.
	body string
}

// note is an update or correction, timed after the story's publication.
type note struct {
	kind  article.NoteKind
	after time.Duration
	text  string
}

// sections are the Courier's three desks, by slug.
var sections = map[string]article.Section{
	"politics": {Name: "Politics", Slug: "politics",
		Description: "City Hall, the Western Reach Assembly and the people who run them."},
	"business": {Name: "Business", Slug: "business",
		Description: "The harbour, the banks and the companies of Port Ellery."},
	"culture": {Name: "Culture", Slug: "culture",
		Description: "Arts, festivals, sport and city life."},
}

// authors are the Courier's four fictional reporters, by slug.
var authors = map[string]article.Author{
	"nadia-okafor": {Name: "Nadia Okafor", Slug: "nadia-okafor",
		Bio: "Nadia Okafor is the Courier's politics correspondent. She has covered City Hall and the " +
			"Western Reach Assembly for twelve years. (A fictional reporter in the Broadsheet demo newsroom.)"},
	"rowan-achterberg": {Name: "Rowan Achterberg", Slug: "rowan-achterberg",
		Bio: "Rowan Achterberg is the Courier's business editor. Before joining the paper he spent a decade " +
			"reporting on shipping and ports. (A fictional reporter in the Broadsheet demo newsroom.)"},
	"elise-marchetti": {Name: "Elise Marchetti", Slug: "elise-marchetti",
		Bio: "Elise Marchetti writes about the arts, festivals and city life in Port Ellery and edits the " +
			"weekend culture pages. (A fictional reporter in the Broadsheet demo newsroom.)"},
	"samuel-lindqvist": {Name: "Samuel Lindqvist", Slug: "samuel-lindqvist",
		Bio: "Samuel Lindqvist is a city reporter and data journalist who also follows Ellery Athletic home " +
			"and away. (A fictional reporter in the Broadsheet demo newsroom.)"},
}

// stories are the demo stories, oldest first. Every person, place and organisation in them is
// invented; the same ones recur across stories so that related stories have something to share.
var stories = []story{
	{
		slug:       "old-customs-house-reopens-as-gallery",
		title:      "The Old Customs House reopens as a gallery of harbour life",
		standfirst: "After six years behind scaffolding, the old building on Wharf Street has become Port Ellery's first museum devoted to the people who worked its docks.",
		section:    "culture",
		authors:    []string{"elise-marchetti"},
		tags:       []string{"Arts", "Harbour", "Old Customs House"},
		ago:        9*day + 10*time.Hour,
		body: `
The doors of the Old Customs House opened to the public on Saturday morning for the first time in six years, and by noon the queue stretched past the fish market and along the length of Wharf Street.

The building, which once collected duties on every cargo landed in Port Ellery, was handed to the city by the Port Ellery Harbour Authority for a nominal rent of one coin a year. Restoration cost a little under nine million, shared between City Hall, the Western Reach Assembly and a public appeal that drew more than four thousand small donations.

Inside, the long room where clerks once weighed tea and tobacco now holds the centrepiece of the collection: a wall of two hundred photographs of dock workers, net menders and crane drivers, most of them lent by their families. Visitors are invited to add names to the faces on paper tags, and the curators say more than sixty people were identified on the first day alone.

> We did not want a museum about ships. We wanted one about the people who stood on the quay in the rain and made the whole city possible.

That was how the gallery's director, Ines Halloran, described the idea at the opening, speaking beside Mayor Helena Voss, who cut the ribbon with a pair of shears borrowed from the rope works next door.

The upper floor hosts changing exhibitions. The first, *Tide Marks*, pairs paintings of the estuary with a century of tide readings gathered by volunteers, and includes a small room of instruments lent by the University of Port Ellery. A café on the roof terrace looks across the water to the container cranes of the outer harbour.

Not everyone is convinced. Councillor Tomas Brandt of the Civic Alliance said the project had run two years late and asked whether the gallery could survive without a permanent grant. Ms Halloran replied that the business plan relied on the café, school visits and room hire, and that entry to the permanent collection would remain free.

The Old Customs House is open from Tuesday to Sunday, from ten in the morning until six in the evening, with late opening on Thursdays during the summer.
`,
	},
	{
		slug:       "harbour-authority-record-container-traffic",
		title:      "Harbour Authority reports record container traffic as dredging ends",
		standfirst: "Deeper channels let larger ships reach Port Ellery, but the Port Ellery Harbour Authority warns that roads and rail have not kept pace.",
		section:    "business",
		authors:    []string{"rowan-achterberg"},
		tags:       []string{"Harbour", "Economy", "Shipping"},
		ago:        8*day + 4*time.Hour,
		body: `
The Port Ellery Harbour Authority handled more containers in the last twelve months than in any year since records began, its annual report showed on Tuesday, as the three-year dredging programme in the outer channel came to an end.

Chief executive Margit Olander told reporters that the deeper channel had allowed the port to receive vessels that previously had to unload at larger harbours up the coast and send their cargo on by road.

The main figures in the report:

- 412,000 containers handled, up 18 per cent on the previous year
- 1,140 ship calls, of which 96 were by vessels too large for the harbour before dredging
- average time alongside cut from 31 hours to 24 hours
- 2,300 people directly employed on the port estate, 140 more than a year ago
- an operating surplus of 27 million, most of it to be reinvested in the quayside

Ms Olander said the surplus would pay for electric cranes at the Eastern Terminal and for shore power, which lets berthed ships switch off their engines. The authority has also signed a trial with Tidewater Labs, a local start-up, to fit sensors that measure water depth and currents in real time.

The good news came with a warning. Lorries queuing for the terminal gates now regularly back up onto the ring road during the morning peak, and the single-track freight line to the inland depot is close to capacity. Ms Olander called on the Western Reach Assembly to bring forward plans to double the track, which are not due to start before the end of the decade.

"We have done our part of the job under the water," she said. "The job on land is not ours to do, but it has to be done by someone."

Residents of the Northgate district, which sits beside the busiest approach road, have complained of noise and fumes at night. The authority said it would publish air-quality readings from the gates every month and would consider limiting night-time lorry arrivals after talking to hauliers.

Mayor Helena Voss welcomed the figures and said City Hall would press the regional government for the rail money in next month's budget talks.
`,
	},
	{
		slug:       "mayor-helena-voss-pledges-northgate-tram-line",
		title:      "Mayor Helena Voss pledges to reopen the Northgate Tram Line",
		standfirst: "The line closed more than sixty years ago. City Hall now says a rebuilt route could carry 20,000 passengers a day, if the Western Reach Assembly pays a third of the bill.",
		section:    "politics",
		authors:    []string{"nadia-okafor"},
		tags:       []string{"Transport", "City Hall"},
		ago:        7*day + 2*time.Hour,
		notes: []note{{
			kind:  article.Update,
			after: 3*day + 5*time.Hour,
			text:  "The Western Reach Assembly has confirmed that funding for the Northgate Tram Line will be considered in its coming budget.",
		}},
		body: `
Mayor Helena Voss has promised to bring trams back to the streets of Northgate within five years, reviving a route that closed more than six decades ago and whose rails still surface in places when the asphalt wears thin.

Presenting the plan at City Hall on Thursday, the mayor said a rebuilt Northgate Tram Line would run for seven kilometres from the railway station to the harbour, with fourteen stops and a tram every six minutes at busy times. The city's engineers put the cost at 340 million.

> Northgate has waited long enough. It is the most crowded part of Port Ellery and the worst served by public transport, and every family there knows it.

The city proposes to pay 40 per cent from its own budget and borrowing, to seek a quarter from national transport funds and to ask the Western Reach Assembly for the remaining third. First Minister Idris Calloway, who leads the regional government, said he was "open to the case" but would not commit himself before the assembly's budget is published.

The route would pass within a few hundred metres of the Old Customs House and end beside the Eastern Terminal, where the Port Ellery Harbour Authority says several hundred dock workers drive to work because no bus serves the early shift.

Opposition councillors were quick to question the figures. Councillor Tomas Brandt, transport spokesman for the Civic Alliance, said the city had not yet shown how it would pay the running costs once the line opened.

> A tram is a wonderful thing to announce and a very expensive thing to run. I want to see the second number before I vote for the first.

Residents at a packed public meeting in Northgate Library on Thursday evening appeared largely in favour, although shopkeepers on Chandler Street worried about two years of roadworks outside their doors. The mayor said construction would be carried out in short sections and that a compensation scheme for affected businesses would be part of the final proposal.

A public consultation opens next month and will run for twelve weeks. If the council approves the scheme, the city hopes to start work within two years.
`,
	},
	{
		slug:       "tidewater-labs-raises-six-million",
		title:      "Tidewater Labs raises six million to map the tides of Port Ellery in real time",
		standfirst: "The start-up, founded by two graduates of the University of Port Ellery, will use the money to put its sensors along the whole waterfront.",
		section:    "business",
		authors:    []string{"rowan-achterberg"},
		tags:       []string{"Start-ups", "Technology", "Harbour"},
		ago:        6*day + 7*time.Hour,
		body: `
Tidewater Labs, a start-up that builds low-cost sensors for measuring water levels and currents, has raised six million from a group of investors led by the Reach Cooperative Bank, its founders said on Monday.

The company was started four years ago by Priya Castellan and Jonah Whitlock, who met while studying coastal engineering at the University of Port Ellery. Its sensors, each about the size of a shoebox, are bolted to quay walls and buoys and report a reading every ten seconds over a low-power radio network.

"Tide tables are predictions made months in advance," Ms Castellan said in the company's workshop, a converted net loft behind the fish market. "They are very good, but the sea does not read them. Wind and river floods can push the water half a metre away from the forecast, and that half metre is the difference between a ship getting in and a ship waiting outside."

The Port Ellery Harbour Authority began a trial with twelve sensors in the spring. Harbour pilots now see live depth readings on their tablets, and the authority says it has already brought two large vessels in on tides it would once have judged too risky. The new money will pay for a further 150 sensors and a team of eight engineers, doubling the company's staff.

Tidewater Labs also publishes its readings free of charge. Anglers, sailors and kayakers can follow the live figures on the company's [open data page](https://example.org/tidewater/live), and the city's flood team uses the same data to decide when to close the gates at the mouth of the River Ell.

For the Reach Cooperative Bank, it is the largest investment it has made in a technology company. Its chief executive, Lotte Brennan, said the bank wanted to "keep good ideas in the Western Reach rather than watch them move to the capital".

The company is in talks with two other ports in Estmark and hopes to sell its first system abroad next year. Ms Castellan said it would keep its headquarters on the waterfront: "Our product is tested by the sea outside our window. We are not moving away from it."
`,
	},
	{
		slug:       "ellery-athletic-reach-estmark-cup-semi-final",
		title:      "Ellery Athletic reach the Estmark Cup semi-final for the first time in 41 years",
		standfirst: "A late header from captain Kofi Aldana beat Redmoor Rovers in front of a sold-out Quayside Park and sent the city into the streets.",
		section:    "culture",
		authors:    []string{"samuel-lindqvist"},
		tags:       []string{"Ellery Athletic", "Football"},
		ago:        5*day + 1*time.Hour,
		body: `
For forty-one years the supporters of Ellery Athletic have sung about the cup run of their grandparents' day. On Wednesday night, in the rain at Quayside Park, they were given a new one to sing about.

A header from captain Kofi Aldana in the eighty-eighth minute gave Athletic a 2–1 win over Redmoor Rovers, a club two divisions above them, and a place in the semi-final of the Estmark Cup for the first time in four decades.

Rovers had led at half-time through a well-taken free kick, and for long spells of the second half the home side struggled to keep the ball. The equaliser came from a mistake: a short back-pass that winger Lena Sorvik reached first before rolling the ball into an empty net. Aldana's winner, from a corner that the whole ground seemed to head with him, set off celebrations that continued along the quayside long after the final whistle.

Manager Dario Mensah, in his second season at the club, said he had told his players at half-time to stop admiring their opponents.

> They were playing as if they were guests in someone else's house. I reminded them whose house it was. Fifteen thousand people came out in the rain tonight, and they deserved a team that believed it belonged here.

The win is worth more than pride. Reaching the semi-final brings prize money and a share of television income, which the club's chairman, Bram Oosterveld, said could exceed the whole of last season's budget. That matters for a club that has spent a decade in financial trouble and whose plans to rebuild the ageing main stand at Quayside Park depend on persuading lenders.

Mayor Helena Voss, who watched from the stand, said the city would look at putting up a big screen on the waterfront for the semi-final if the draw sent Athletic away from home. Tickets for the semi-final go on sale to season-ticket holders on Monday, and the club has asked supporters without tickets not to travel.
`,
	},
	{
		slug:       "reach-cooperative-bank-backs-quayside-park-rebuild",
		title:      "Reach Cooperative Bank backs 60 million rebuild of Quayside Park",
		standfirst: "The loan would give Ellery Athletic a new main stand and Northgate a public square, but only if City Hall sells the club the land beneath the ground.",
		section:    "business",
		authors:    []string{"rowan-achterberg"},
		tags:       []string{"Ellery Athletic", "Economy", "City Hall"},
		ago:        4*day + 3*time.Hour,
		notes: []note{{
			kind:  article.Correction,
			after: 5 * time.Hour,
			text:  "An earlier version of this story said the new main stand would have 8,000 seats. The club's plans are for 6,000 seats.",
		}},
		body: `
The Reach Cooperative Bank has agreed to lend Ellery Athletic most of the money needed to rebuild the main stand at Quayside Park, the club and the bank said on Friday, days after the team's cup run put the ground back in the headlines.

Under the plan, the crumbling stand would be replaced by a larger one with 6,000 seats, a club shop, a community sports hall and offices that the club would let to local businesses. The open land behind the stand, now a car park, would become a public square with trees and a market at weekends.

The project is expected to cost about 60 million. The bank would lend 45 million over twenty-five years, with the rest coming from the club's cup winnings, a supporters' share issue and a grant application to the Western Reach Assembly.

Lotte Brennan, chief executive of the bank, said the loan would be secured on the future rents from the stand's offices and on the land itself.

That last point is where the deal becomes political. The ground stands on land owned by City Hall and leased to the club, and the bank requires the club to own it outright before any money is released. Mayor Helena Voss said she supported a sale "at a fair price, with guarantees that football stays at Quayside Park for good". Councillor Tomas Brandt of the Civic Alliance said public land should not be sold "on the back of one good week in the cup" and called for an independent valuation.

The chairman of Ellery Athletic, Bram Oosterveld, said the club would accept any valuation agreed by both sides and would write a clause into the deeds preventing the land from being used for anything but sport and public space.

Manager Dario Mensah kept his distance from the negotiations. "I leave the concrete to other people," he said. "My job is the grass."

The city council is expected to debate the sale next month. If it agrees, the club hopes to begin demolition at the end of the season and to play its home matches at the university's stadium while the new stand is built.
`,
	},
	{
		slug:           "tomas-brandt-launches-civic-alliance-leadership-bid",
		title:          "Tomas Brandt launches bid to lead the Civic Alliance",
		standfirst:     "The councillor who has led opposition to Mayor Helena Voss's spending plans wants to take his party into next year's city election.",
		section:        "politics",
		authors:        []string{"nadia-okafor"},
		tags:           []string{"Civic Alliance", "City Hall", "Elections"},
		ago:            3*day + 5*time.Hour,
		commentsClosed: true,
		body: `
Councillor Tomas Brandt has announced that he will stand for the leadership of the Civic Alliance, the largest opposition group on Port Ellery City Council, setting up a contest that is likely to shape next year's mayoral election.

Mr Brandt, who has represented the Chandler Street ward for nine years, made the announcement at a community hall in Northgate, the district where the city plans to rebuild the Northgate Tram Line. He said the party had to offer more than opposition.

"People here do not need me to tell them what is wrong with the Voss administration," he said. "They need someone to tell them what we would do instead, how much it would cost and who would pay."

He set out three priorities: a review of the city's building projects before any new borrowing, more money for housing repairs in the older districts, and an independent valuation before any sale of public land, a reference to the proposed sale of the ground at Quayside Park to Ellery Athletic.

The current leader of the Civic Alliance, Marguerite Dahl, announced in the spring that she would stand down after six years. A second candidate, the party's finance spokeswoman Anneke Vervoort, is expected to declare next week. Party members will vote by post, and the result will be announced in two months.

Mayor Helena Voss, whose Harbour and City party has run City Hall for two terms, declined to comment on another party's internal election. A spokesman for the mayor said the administration "welcomes scrutiny of its plans from any quarter".

Observers in the city expect the contest to be close. Elena Varga, who teaches politics at the University of Port Ellery, said Mr Brandt had built a following through his detailed questioning of the tram plan but might struggle to win over members who want a more hopeful message.

"He is the best-known face of the opposition," she said. "The question is whether members want a prosecutor or a candidate for mayor."

Comments on this story are closed while the party's ballot is open, in line with the Courier's election policy.
`,
	},
	{
		slug:       "ellery-lantern-festival-returns-to-northgate",
		title:      "Ellery Lantern Festival returns to Northgate after a five-year pause",
		standfirst: "Thousands of paper lanterns will be carried through the streets on Saturday night, on a new route that ends at the Old Customs House.",
		section:    "culture",
		authors:    []string{"elise-marchetti"},
		tags:       []string{"Festivals", "Arts", "Old Customs House"},
		ago:        2*day + 6*time.Hour,
		body: `
The Ellery Lantern Festival, the autumn parade that fills the streets of Northgate with light, returns this weekend for the first time in five years, with more than three hundred groups signed up to take part.

The festival began a century ago as a night procession of dock workers' families marking the end of the fishing season. It grew into one of the largest community events in the Western Reach before rising costs and a shortage of volunteers brought it to a halt.

This year's revival has been organised by the Saltmarsh Theatre, which has spent the summer running free lantern-making workshops in schools, libraries and care homes. Its artistic director, Oskar Lindgren, said more than five thousand lanterns had been made, from simple paper globes to a twelve-metre whale built from willow and tissue by students at the University of Port Ellery.

"Everyone who made a lantern is part of the festival, whether they walk or watch," Mr Lindgren said. "That was always the point of it."

The procession will follow a new route. It starts at eight in the evening in Northgate Square, follows Chandler Street and the old tram route down to the water, and ends at the Old Customs House, where the gallery will stay open until midnight with free entry. The supporters' brass band of Ellery Athletic will lead the parade.

Roads in Northgate will be closed from six in the evening and buses will be diverted. The city has asked people not to drive into the centre. Extra late trains will run on the coastal line, and the Port Ellery Harbour Authority will open its staff car park at the Eastern Terminal free of charge, with a shuttle bus into town.

The festival is paid for by City Hall, a grant from the Western Reach Assembly and sponsorship from local businesses, including Tidewater Labs, which has offered to light the final stretch of the route with lamps powered by the tide.

Organisers say the forecast is dry but cold, and advise families to bring warm clothes and, if they want to join in, a lantern of their own.
`,
	},
	{
		slug:       "western-reach-assembly-votes-city-seats-harbour-board",
		title:      "Western Reach Assembly votes to give Port Ellery a say over its harbour",
		standfirst: "For the first time, the city will hold seats on the board of the Port Ellery Harbour Authority, after a vote that cut across party lines.",
		section:    "politics",
		authors:    []string{"nadia-okafor", "samuel-lindqvist"},
		tags:       []string{"Western Reach Assembly", "Harbour", "City Hall"},
		ago:        1*day + 3*time.Hour,
		image:      true,
		body: `
The Western Reach Assembly voted on Tuesday to give Port Ellery City Council three seats on the board of the Port Ellery Harbour Authority, ending a century in which the city had no formal voice in how its own waterfront was run.

The measure passed by 41 votes to 22 after a debate of more than five hours. It was proposed by First Minister Idris Calloway, who said the harbour's recent growth meant decisions about it could "no longer be taken as if the city around it did not exist".

## What changes for the harbour

At present the authority's board of nine is appointed by the regional government and by the shipping companies that use the port. From next year it will have twelve members: the existing nine, plus three named by the city council, one of whom must live in a district that borders the port.

The city's members will sit on the committees that decide on night-time working, lorry routes and the use of land on the quayside. They will have no veto, but any decision affecting land within 500 metres of homes will need a majority that includes at least one of them.

Margit Olander, the authority's chief executive, said she welcomed the change. "Our neighbours should be in the room when we make decisions that wake them up at night," she said. "I would rather argue with them at the table than read about them in the newspaper."

## A rare cross-party vote

Mayor Helena Voss called the vote "the most important change to how this city is governed in my lifetime". Her rival on the council, Councillor Tomas Brandt of the Civic Alliance, also backed the measure, although he said the city's seats should be filled by open application rather than chosen by the mayor.

Some assembly members from the inland districts voted against, arguing that the port's profits belong to the whole region. The First Minister said the change did not affect how the surplus is shared.

The city council will decide how to choose its members before the end of the year.
`,
	},
	{
		slug:       "western-reach-assembly-budget-what-it-means-for-port-ellery",
		title:      "What the Western Reach Assembly budget means for Port Ellery",
		standfirst: "The regional government publishes its spending plans today. Here is what the city is asking for, and what to watch.",
		section:    "politics",
		authors:    []string{"samuel-lindqvist"},
		tags:       []string{"Western Reach Assembly", "Economy", "Transport"},
		ago:        -2 * time.Hour,
		body: `
First Minister Idris Calloway presents the Western Reach Assembly's budget for the coming year this afternoon, and for Port Ellery three questions will decide whether City Hall greets it with relief or with a long list of complaints.

The first is the Northgate Tram Line. Mayor Helena Voss has asked the regional government to pay a third of the 340 million cost of rebuilding the line, spread over five years. The First Minister has said only that he is "open to the case". A commitment in this budget would let the city begin detailed design work next spring; anything less would probably push the opening date back by at least a year.

The second is the freight railway to the inland depot. The Port Ellery Harbour Authority says the single track is close to capacity and has asked for the doubling of the line to be brought forward. Its chief executive, Margit Olander, has warned that without it the extra traffic from the deeper harbour will end up on the ring road.

The third is smaller in money but large in symbolism: a grant towards the rebuilding of Quayside Park, home of Ellery Athletic. The club and the Reach Cooperative Bank have put together most of the finance, but the deal assumes about five million from the region.

Beyond the city, the budget is expected to include new money for research at the University of Port Ellery, some of which could support young companies such as Tidewater Labs, and a rise in the regional housing repair fund that the Civic Alliance has made one of its demands.

The government is under pressure from the other direction too. Members from the inland districts complain that Port Ellery already takes a large share of regional spending, and the First Minister needs some of their votes to pass the budget.

The Courier will follow the speech live from two o'clock, with analysis from our politics and business desks through the afternoon and a full breakdown of the figures for Port Ellery this evening.
`,
	},
}

// aboutBody is the About page; newsroom puts the sample-content notice before it.
const aboutBody = `
The Broadsheet Courier is not a real newspaper. It is the demo newsroom that Broadsheet, a self-hosted news publishing engine, creates the first time it starts with an empty database, so that there is something to read before you write your first story.

Port Ellery, the Western Reach and everyone quoted in these pages are invented. The stories exist to show what a news site made with Broadsheet offers its readers:

- sections, tags and bylines with short biographies
- block quotes, subheadings, lists and links in the body of a story
- updates and corrections, shown with their time at the foot of a story
- scheduled publishing: one story goes live two hours after the first start
- comments, and the related stories at the end of every article

When you are ready, sign in to the admin, delete or unpublish the sample stories and this page, and start publishing your own. Broadsheet will not create the demo newsroom again once your site holds any story or section.
`
