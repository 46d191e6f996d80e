package media

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Errors Process answers for input it refuses; callers test with errors.Is.
var (
	// ErrUnsupported means the bytes are not a JPEG, PNG, GIF or WebP image, whatever the name.
	ErrUnsupported = errors.New("not a JPEG, PNG, GIF or WebP image")
	// ErrTooManyPixels means the image declares more pixels than Options.MaxPixels: refused
	// before decoding, so that a small file cannot claim gigabytes of memory.
	ErrTooManyPixels = errors.New("image has too many pixels")
	// ErrCorrupt means the image could not be decoded (truncated or damaged).
	ErrCorrupt = errors.New("image is damaged or truncated")
)

// Options tunes Process. The zero value uses the defaults.
type Options struct {
	// MaxPixels refuses larger images; 0 means DefaultMaxPixels.
	MaxPixels int64
	// Widths are the responsive widths to make, ascending; nil means DefaultWidths. An image is
	// never scaled up: widths at or above its own are replaced by its own width.
	Widths []int
	// FocusX and FocusY (0 to 1, from the left and top) are the point social crops keep in
	// view; both zero means the centre.
	FocusX, FocusY float64
}

// Defaults for Options.
var (
	DefaultWidths = []int{320, 640, 960, 1280, 1920}
)

const (
	// DefaultMaxPixels admits a 100-megapixel camera and refuses a decompression bomb.
	DefaultMaxPixels = 100_000_000
	// SocialWidth and SocialHeight are the size of the card for og:image and twitter:image.
	SocialWidth, SocialHeight = 1200, 630
	jpegQuality               = 82
)

// Rendition is one derived file: a responsive width or the social card.
type Rendition struct {
	Width, Height int
	Type          string
	Data          []byte
}

// Image is an upload after processing: the original with its metadata removed, and its
// renditions. Type is the original's, which is the upload's unless it had to be turned (see
// Process). Width and Height are as displayed, after EXIF orientation.
type Image struct {
	Type          string
	Width, Height int
	Original      []byte
	Sizes         []Rendition
	Social        Rendition
}

// Sniff returns the image type of data from its bytes (never from a name), or ErrUnsupported.
func Sniff(data []byte) (string, error) {
	switch t := http.DetectContentType(data); t {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
		return t, nil
	}
	return "", ErrUnsupported
}

// Check sniffs data and reads its declared size without decoding the pixels: the intake's
// first gate, cheap enough to run on anything.
func Check(data []byte, maxPixels int64) (typ string, cfg image.Config, err error) {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	if typ, err = Sniff(data); err != nil {
		return "", cfg, err
	}
	cfg, err = decodeConfig(typ, data)
	if err != nil {
		return "", cfg, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return "", cfg, fmt.Errorf("%w: %d×%d pixels", ErrCorrupt, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return "", cfg, fmt.Errorf("%w: %d×%d, more than %d", ErrTooManyPixels, cfg.Width, cfg.Height, maxPixels)
	}
	return typ, cfg, nil
}

func decodeConfig(typ string, data []byte) (image.Config, error) {
	r := bytes.NewReader(data)
	switch typ {
	case "image/jpeg":
		return jpeg.DecodeConfig(r)
	case "image/png":
		return png.DecodeConfig(r)
	case "image/gif":
		return gif.DecodeConfig(r)
	default:
		return webp.DecodeConfig(r)
	}
}

func decode(typ string, data []byte) (image.Image, error) {
	r := bytes.NewReader(data)
	switch typ {
	case "image/jpeg":
		return jpeg.Decode(r)
	case "image/png":
		return png.Decode(r)
	case "image/gif":
		return gif.Decode(r) // the first frame
	default:
		return webp.Decode(r)
	}
}

// Process checks, decodes and derives an upload once: EXIF orientation applied (a WebP that
// needs turning is kept as JPEG, or PNG with transparency), every piece of
// metadata but the colour profile removed from the original, responsive widths (JPEG, or PNG
// for images with transparency) and a 1200×630 JPEG social card. A GIF keeps its animation in
// the original; its renditions show the first frame.
func Process(data []byte, o Options) (*Image, error) {
	typ, _, err := Check(data, o.MaxPixels)
	if err != nil {
		return nil, err
	}
	src, err := decode(typ, data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	orientation := 1
	switch typ {
	case "image/jpeg":
		orientation = jpegOrientation(data)
	case "image/webp":
		orientation = webpOrientation(data)
	}
	b := src.Bounds()
	dispW, dispH := b.Dx(), b.Dy()
	if orientation >= 5 {
		dispW, dispH = dispH, dispW
	}
	widths := o.Widths
	if widths == nil {
		widths = DefaultWidths
	}
	opaque := isOpaque(src)
	img := &Image{Type: typ, Width: dispW, Height: dispH}

	// The largest rendition is scaled from the source; the smaller ones from it, which costs a
	// fraction of scaling the source again.
	largest := min(dispW, widths[len(widths)-1])
	// A camera picture is first averaged down by a whole factor, band by band: the kernel scaler
	// holds a float buffer of the target's width by the source's height, which for 24 megapixels
	// would be a quarter of a gigabyte.
	from := src
	if k := dispW / largest; k >= 2 {
		from = shrink(src, k)
	}
	big := orient(scale(from, largest, dispW, dispH, orientation >= 5), orientation)
	var sizes []int
	for _, w := range widths {
		if w < largest {
			sizes = append(sizes, w)
		}
	}
	sizes = append(sizes, largest)
	for _, w := range sizes {
		r := big
		if w != largest {
			r = scale(big, w, big.Bounds().Dx(), big.Bounds().Dy(), false)
		}
		rend, err := encode(r, opaque)
		if err != nil {
			return nil, err
		}
		img.Sizes = append(img.Sizes, rend)
	}
	if img.Social, err = encode(socialCrop(big, o.FocusX, o.FocusY), true); err != nil {
		return nil, err
	}
	if img.Original, img.Type, err = cleanOriginal(typ, data, orientation, big, src, dispW, dispH, opaque); err != nil {
		return nil, err
	}
	return img, nil
}

// SocialCard cuts the 1200×630 card around the focal point (fx, fy) from an upright
// rendition's bytes, as Process cuts it from the largest one.
func SocialCard(data []byte, fx, fy float64) (Rendition, error) {
	typ, _, err := Check(data, 0)
	if err != nil {
		return Rendition{}, err
	}
	src, err := decode(typ, data)
	if err != nil {
		return Rendition{}, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	b := src.Bounds()
	m := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(m, m.Bounds(), src, b.Min, draw.Src)
	return encode(socialCrop(m, fx, fy), true)
}

// cleanOriginal returns the original's bytes without metadata, and their type. A JPEG or a
// WebP that needs turning is re-encoded upright at full size: a JPEG as JPEG, a WebP as JPEG,
// or PNG when it has transparency, since Go has no WebP encoder (and removing the EXIF that
// says how to turn it would leave it on its side). Anything else keeps its pixels bit for bit.
func cleanOriginal(typ string, data []byte, orientation int, big *image.RGBA, src image.Image, w, h int, opaque bool) ([]byte, string, error) {
	if orientation != 1 && (typ == "image/jpeg" || typ == "image/webp") {
		full := big
		if big.Bounds().Dx() != w {
			full = orient(scale(src, w, w, h, orientation >= 5), orientation)
		}
		var buf bytes.Buffer
		var err error
		if opaque {
			typ, err = "image/jpeg", jpeg.Encode(&buf, full, &jpeg.Options{Quality: 92})
		} else {
			typ, err = "image/png", (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, full)
		}
		if err != nil {
			return nil, "", fmt.Errorf("media: encoding the original: %w", err)
		}
		return buf.Bytes(), typ, nil
	}
	var out []byte
	var err error
	switch typ {
	case "image/jpeg":
		out, err = stripJPEG(data)
	case "image/png":
		out, err = stripPNG(data)
	case "image/webp":
		out, err = stripWebP(data)
	default:
		out, err = stripGIF(data)
	}
	return out, typ, err
}

// scale returns src scaled to width w of a displayed size dispW×dispH; with transposed, src is
// stored turned a quarter and w is the displayed width (its height).
func scale(src image.Image, w, dispW, dispH int, transposed bool) *image.RGBA {
	h := max(1, int(float64(dispH)*float64(w)/float64(dispW)+0.5))
	if transposed {
		w, h = h, w
	}
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if b.Dx() == w && b.Dy() == h {
		draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Src)
		return dst
	}
	// Close to the target size, bilinear sampling loses nothing and needs no buffer; further
	// down, Catmull-Rom keeps the detail that sampling would alias away.
	var z draw.Scaler = draw.CatmullRom
	if 2*b.Dx() < 3*w {
		z = draw.ApproxBiLinear
	}
	z.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	return dst
}

// shrink averages each k×k block of m into one pixel, reading m a band of k rows at a time.
func shrink(m image.Image, k int) *image.RGBA {
	b := m.Bounds()
	w, h := b.Dx()/k, b.Dy()/k
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	band := image.NewRGBA(image.Rect(0, 0, b.Dx(), k))
	sums := make([]uint32, 4*w)
	n := uint32(k * k)
	for y := range h {
		draw.Draw(band, band.Bounds(), m, image.Pt(b.Min.X, b.Min.Y+y*k), draw.Src)
		clear(sums)
		for r := range k {
			row := band.Pix[r*band.Stride:]
			for x := range w * k {
				o := 4 * (x / k)
				sums[o] += uint32(row[4*x])
				sums[o+1] += uint32(row[4*x+1])
				sums[o+2] += uint32(row[4*x+2])
				sums[o+3] += uint32(row[4*x+3])
			}
		}
		out := dst.Pix[y*dst.Stride:]
		for i, v := range sums {
			out[i] = uint8(v / n)
		}
	}
	return dst
}

// orient turns and flips m as EXIF orientation o (1 to 8) says, to display upright.
func orient(m *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return m
	}
	w, h := m.Bounds().Dx(), m.Bounds().Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range dh {
		for x := range dw {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			si := m.PixOffset(sx, sy)
			copy(dst.Pix[dst.PixOffset(x, y):][:4], m.Pix[si:si+4])
		}
	}
	return dst
}

// socialCrop cuts the largest 1200:630 window around the focal point and scales it to at most
// 1200×630.
func socialCrop(m *image.RGBA, fx, fy float64) *image.RGBA {
	if fx == 0 && fy == 0 {
		fx, fy = 0.5, 0.5
	}
	w, h := m.Bounds().Dx(), m.Bounds().Dy()
	cw, ch := w, w*SocialHeight/SocialWidth
	if ch > h {
		cw, ch = h*SocialWidth/SocialHeight, h
	}
	cw, ch = max(cw, 1), max(ch, 1)
	x0 := clamp(int(fx*float64(w))-cw/2, 0, w-cw)
	y0 := clamp(int(fy*float64(h))-ch/2, 0, h-ch)
	crop := m.SubImage(image.Rect(x0, y0, x0+cw, y0+ch))
	tw, th := cw, ch
	if tw > SocialWidth {
		tw, th = SocialWidth, SocialHeight
	}
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	// Transparent parts of a logo go on white, as JPEG has no alpha.
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), crop, crop.Bounds(), draw.Over, nil)
	return dst
}

func clamp(v, lo, hi int) int {
	return max(lo, min(v, hi))
}

func encode(m *image.RGBA, opaque bool) (Rendition, error) {
	var buf bytes.Buffer
	r := Rendition{Width: m.Bounds().Dx(), Height: m.Bounds().Dy(), Type: "image/jpeg"}
	var err error
	if opaque {
		err = jpeg.Encode(&buf, m, &jpeg.Options{Quality: jpegQuality})
	} else {
		r.Type = "image/png"
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, m)
	}
	if err != nil {
		return Rendition{}, fmt.Errorf("media: encoding a %d×%d rendition: %w", r.Width, r.Height, err)
	}
	r.Data = buf.Bytes()
	return r, nil
}

// isOpaque reports whether m has no transparent pixel, answering quickly for the types that
// cannot have one.
func isOpaque(m image.Image) bool {
	switch m := m.(type) {
	case *image.YCbCr, *image.Gray, *image.CMYK:
		return true
	case interface{ Opaque() bool }:
		return m.Opaque()
	}
	return false
}
