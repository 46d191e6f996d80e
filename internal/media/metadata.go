package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// The functions here remove metadata (EXIF with its GPS position, XMP, comments, text chunks)
// from an image's bytes without touching its pixels, and read the EXIF orientation. Each walks
// the format's own block structure; damaged structure is an error, never a panic.

// jpegOrientation returns the EXIF orientation (1 to 8) of a JPEG, 1 when it has none.
func jpegOrientation(data []byte) int {
	o := 1
	_, _ = walkJPEG(data, func(marker byte, seg []byte) bool {
		if marker == 0xE1 && len(seg) > 4 && bytes.HasPrefix(seg[4:], []byte("Exif\x00\x00")) {
			o = tiffOrientation(seg[10:])
			return false
		}
		return true
	})
	return o
}

// webpOrientation returns the EXIF orientation of a WebP, 1 when it has none.
func webpOrientation(data []byte) int {
	o := 1
	_ = walkRIFF(data, func(id string, chunk []byte) {
		if id == "EXIF" {
			payload := chunk[8:]
			payload = bytes.TrimPrefix(payload, []byte("Exif\x00\x00"))
			o = tiffOrientation(payload)
		}
	})
	return o
}

// tiffOrientation reads tag 0x0112 of the first IFD of a TIFF structure.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 1
	}
	n := int(bo.Uint16(t[off:]))
	for i := range n {
		e := off + 2 + 12*i
		if e+12 > len(t) {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 {
			if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}

// walkJPEG calls fn with each marker segment before the image data (seg holds the marker, its
// length and its payload) until fn answers false. It returns the offset where the entropy-coded
// data starts (the start-of-scan segment).
func walkJPEG(data []byte, fn func(marker byte, seg []byte) bool) (int, error) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return 0, fmt.Errorf("%w: no JPEG start marker", ErrCorrupt)
	}
	i := 2
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return 0, fmt.Errorf("%w: JPEG marker expected at byte %d", ErrCorrupt, i)
		}
		marker := data[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		if marker == 0xDA {
			return i, nil
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return 0, fmt.Errorf("%w: JPEG segment at byte %d runs past the end", ErrCorrupt, i)
		}
		if !fn(marker, data[i:i+2+n]) {
			return i, nil
		}
		i += 2 + n
	}
	return 0, fmt.Errorf("%w: JPEG has no image data", ErrCorrupt)
}

// stripJPEG drops application segments (EXIF, XMP, maker notes, IPTC) and comments, keeping
// JFIF, the ICC colour profile and Adobe's colour-transform segment, which decoders need.
func stripJPEG(data []byte) ([]byte, error) {
	out := []byte{0xFF, 0xD8}
	sos, err := walkJPEG(data, func(marker byte, seg []byte) bool {
		payload := seg[4:]
		keep := true
		switch {
		case marker == 0xFE:
			keep = false
		case marker == 0xE0:
			keep = bytes.HasPrefix(payload, []byte("JFIF\x00"))
		case marker == 0xE2:
			keep = bytes.HasPrefix(payload, []byte("ICC_PROFILE\x00"))
		case marker == 0xEE:
			keep = bytes.HasPrefix(payload, []byte("Adobe"))
		case marker >= 0xE1 && marker <= 0xEF:
			keep = false
		}
		if keep {
			out = append(out, seg...)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return append(out, data[sos:]...), nil
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// stripPNG drops text, EXIF and time chunks, keeping everything that draws the image.
func stripPNG(data []byte) ([]byte, error) {
	if !bytes.HasPrefix(data, pngSignature) {
		return nil, fmt.Errorf("%w: no PNG signature", ErrCorrupt)
	}
	out := append([]byte(nil), pngSignature...)
	for i := len(pngSignature); i < len(data); {
		if i+12 > len(data) {
			return nil, fmt.Errorf("%w: PNG chunk at byte %d runs past the end", ErrCorrupt, i)
		}
		n := int(binary.BigEndian.Uint32(data[i:]))
		end := i + 12 + n
		if n < 0 || end > len(data) || end < i {
			return nil, fmt.Errorf("%w: PNG chunk at byte %d runs past the end", ErrCorrupt, i)
		}
		switch string(data[i+4 : i+8]) {
		case "tEXt", "zTXt", "iTXt", "eXIf", "tIME":
		default:
			out = append(out, data[i:end]...)
		}
		i = end
	}
	return out, nil
}

// walkRIFF calls fn with each chunk (header included, padding excluded) of a WebP file.
func walkRIFF(data []byte, fn func(id string, chunk []byte)) error {
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return fmt.Errorf("%w: no WebP header", ErrCorrupt)
	}
	for i := 12; i < len(data); {
		if i+8 > len(data) {
			return fmt.Errorf("%w: WebP chunk at byte %d runs past the end", ErrCorrupt, i)
		}
		n := int(binary.LittleEndian.Uint32(data[i+4:]))
		end := i + 8 + n
		if n < 0 || end > len(data) || end < i {
			return fmt.Errorf("%w: WebP chunk at byte %d runs past the end", ErrCorrupt, i)
		}
		fn(string(data[i:i+4]), data[i:end])
		i = end + n%2
	}
	return nil
}

// stripWebP drops the EXIF and XMP chunks and clears their flags.
func stripWebP(data []byte) ([]byte, error) {
	out := append([]byte(nil), data[:min(12, len(data))]...)
	err := walkRIFF(data, func(id string, chunk []byte) {
		switch id {
		case "EXIF", "XMP ":
			return
		case "VP8X":
			chunk = append([]byte(nil), chunk...)
			if len(chunk) > 8 {
				chunk[8] &^= 0x08 | 0x04
			}
		}
		out = append(out, chunk...)
		if len(chunk)%2 == 1 {
			out = append(out, 0)
		}
	})
	if err != nil {
		return nil, err
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out, nil
}

// stripGIF drops comment extensions and application extensions other than the looping one
// (XMP hides in an application extension).
func stripGIF(data []byte) ([]byte, error) {
	bad := fmt.Errorf("%w: GIF structure runs past the end", ErrCorrupt)
	if len(data) < 13 {
		return nil, bad
	}
	i := 13
	if data[10]&0x80 != 0 {
		i += 3 << (data[10]&7 + 1)
	}
	out := append([]byte(nil), data[:min(i, len(data))]...)
	// subBlocks returns the end of the run of data sub-blocks starting at j.
	subBlocks := func(j int) (int, bool) {
		for j < len(data) {
			n := int(data[j])
			j += 1 + n
			if n == 0 {
				return j, j <= len(data)
			}
		}
		return 0, false
	}
	for i < len(data) {
		switch data[i] {
		case 0x3B:
			return append(out, 0x3B), nil
		case 0x21:
			if i+2 > len(data) {
				return nil, bad
			}
			end, ok := subBlocks(i + 2)
			if !ok {
				return nil, bad
			}
			label := data[i+1]
			keep := label != 0xFE
			if label == 0xFF {
				keep = end-i > 14 && string(data[i+3:i+14]) == "NETSCAPE2.0"
			}
			if keep {
				out = append(out, data[i:end]...)
			}
			i = end
		case 0x2C:
			j := i + 10
			if j > len(data) {
				return nil, bad
			}
			if data[i+9]&0x80 != 0 {
				j += 3 << (data[i+9]&7 + 1)
			}
			j++ // LZW minimum code size
			end, ok := subBlocks(j)
			if !ok {
				return nil, bad
			}
			out = append(out, data[i:end]...)
			i = end
		default:
			return nil, fmt.Errorf("%w: unknown GIF block 0x%02x at byte %d", ErrCorrupt, data[i], i)
		}
	}
	// A GIF without its trailer still shows; give it one.
	return append(out, 0x3B), nil
}
