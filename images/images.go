// Package images prepares pictures that people upload (an event's cover)
// to be served safely: the type is read from the bytes, never the name;
// the picture is decoded by the Go standard library or golang.org/x/image
// (no cgo, no outside program), turned upright, scaled down and encoded
// again as a JPEG, which drops every byte that was not pixels: camera and
// GPS metadata, comments, trailing data, anything smuggled in the file.
// It is pure: bytes in, bytes out.
package images

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/gif" // registers GIF with image.Decode
	"image/jpeg"
	_ "image/png" // registers PNG with image.Decode
	"net/http"

	xdraw "golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // registers WebP with image.Decode
)

// Limits of an upload and of what is kept.
const (
	// MaxBytes is the largest file taken (a phone photo fits).
	MaxBytes = 8 << 20
	// MaxPixels refuses pictures that would take too much memory to
	// decode (a small file can claim a huge size: a decompression bomb).
	MaxPixels = 40_000_000
	// MinWidth and MinHeight: smaller pictures look broken as a cover and
	// link previews ignore them.
	MinWidth, MinHeight = 400, 200
	// MaxSide is the longest side kept: wide enough for a sharp cover on a
	// large screen and for link previews (1200 × 630).
	MaxSide = 1600
	// Quality of the JPEG written.
	Quality = 85
)

// Problem is a picture refused, with a message for the person who chose
// it.
type Problem struct{ Message string }

func (p *Problem) Error() string { return p.Message }

func problem(format string, args ...any) error {
	return &Problem{Message: fmt.Sprintf(format, args...)}
}

// TooBig is the problem of a file over MaxBytes, for callers that see its
// size before reading it.
func TooBig() *Problem {
	return &Problem{Message: fmt.Sprintf("The image must be smaller than %d MB", MaxBytes>>20)}
}

// Cover is a prepared picture.
type Cover struct {
	JPEG          []byte
	Width, Height int
}

// ContentType of every prepared picture.
const ContentType = "image/jpeg"

// accepted are the types taken, as http.DetectContentType names them.
var accepted = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// PrepareCover checks, decodes, turns upright, scales and encodes b. Its
// errors are *Problem for pictures refused; anything else is a fault.
func PrepareCover(b []byte) (*Cover, error) {
	if len(b) == 0 {
		return nil, problem("Choose an image file")
	}
	if len(b) > MaxBytes {
		return nil, TooBig()
	}
	if !accepted[http.DetectContentType(b)] {
		return nil, problem("The file must be a JPEG, PNG, GIF or WebP image")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, problem("The image could not be read: it may be damaged. Save it again and try once more")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxPixels/cfg.Height {
		return nil, problem("The image is too large: it must be under %d megapixels", MaxPixels/1_000_000)
	}
	orientation := 1
	if http.DetectContentType(b) == "image/jpeg" {
		orientation = jpegOrientation(b)
	}
	w, h := cfg.Width, cfg.Height
	if orientation >= 5 {
		w, h = h, w
	}
	if w < MinWidth || h < MinHeight {
		return nil, problem("The image must be at least %d pixels wide and %d high (this one is %d × %d)", MinWidth, MinHeight, w, h)
	}
	src, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, problem("The image could not be read: it may be damaged. Save it again and try once more")
	}
	// Scaled first: turning the smaller picture is quicker.
	out := upright(scale(src, MaxSide), orientation)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: Quality}); err != nil {
		return nil, fmt.Errorf("images: unable to encode: %w", err)
	}
	r := out.Bounds()
	return &Cover{JPEG: buf.Bytes(), Width: r.Dx(), Height: r.Dy()}, nil
}

// scale fits img within max × max (never enlarging it) on a white ground:
// transparent parts of a PNG or GIF become white, as JPEG has no alpha.
// It halves the picture while it is more than twice too big (bilinear
// sampling at exactly half is the average of each 2 × 2 block: no
// aliasing), then takes the last step bilinearly. A 12-megapixel photo
// takes well under a second this way; Catmull-Rom over the whole of it
// took several seconds on a busy two-core machine.
func scale(img image.Image, max int) *image.RGBA {
	b := img.Bounds()
	w, h := fit(b.Dx(), b.Dy(), max)
	for img.Bounds().Dx() >= 2*w && img.Bounds().Dy() >= 2*h {
		sb := img.Bounds()
		half := image.NewRGBA(image.Rect(0, 0, sb.Dx()/2, sb.Dy()/2))
		xdraw.ApproxBiLinear.Scale(half, half.Bounds(), img, sb, xdraw.Src, nil)
		img = half
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, img.Bounds(), xdraw.Over, nil)
	return dst
}

// fit is the size of a w × h picture within max × max, never enlarged.
func fit(w, h, max int) (int, int) {
	if w > max || h > max {
		if w >= h {
			w, h = max, (h*max+w/2)/w
		} else {
			w, h = (w*max+h/2)/h, max
		}
	}
	return maxInt(w, 1), maxInt(h, 1)
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// upright applies an Exif orientation (1–8): phones store pictures as the
// sensor saw them and say how to turn them; once the metadata is gone the
// pixels must already be the right way up.
func upright(img image.Image, orientation int) image.Image {
	if orientation < 2 || orientation > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if orientation >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch orientation {
			case 2: // mirrored
				dx, dy = w-1-x, y
			case 3: // upside down
				dx, dy = w-1-x, h-1-y
			case 4: // upside down, mirrored
				dx, dy = x, h-1-y
			case 5: // mirrored, turned
				dx, dy = y, x
			case 6: // turned a quarter clockwise to be upright
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8: // turned a quarter anticlockwise to be upright
				dx, dy = y, w-1-x
			}
			dst.Set(dx, dy, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return dst
}

// jpegOrientation reads the Exif orientation of a JPEG, or 1 when it has
// none or it cannot be read. Only the APP1 "Exif" segment's first IFD is
// read, with bounds checked at every step.
func jpegOrientation(b []byte) int {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			return 1
		}
		marker := b[i+1]
		if marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 {
			i += 2
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // image data: no Exif before it
			return 1
		}
		size := int(b[i+2])<<8 | int(b[i+3])
		if size < 2 || i+2+size > len(b) {
			return 1
		}
		seg := b[i+4 : i+2+size]
		if marker == 0xE1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			if o, err := tiffOrientation(seg[6:]); err == nil {
				return o
			}
			return 1
		}
		i += 2 + size
	}
	return 1
}

var errExif = errors.New("images: no orientation")

// tiffOrientation finds tag 0x0112 in the first IFD of a TIFF header.
func tiffOrientation(t []byte) (int, error) {
	if len(t) < 8 {
		return 0, errExif
	}
	var u16 func([]byte) int
	var u32 func([]byte) int
	switch string(t[:2]) {
	case "II":
		u16 = func(p []byte) int { return int(p[0]) | int(p[1])<<8 }
		u32 = func(p []byte) int { return int(p[0]) | int(p[1])<<8 | int(p[2])<<16 | int(p[3])<<24 }
	case "MM":
		u16 = func(p []byte) int { return int(p[1]) | int(p[0])<<8 }
		u32 = func(p []byte) int { return int(p[3]) | int(p[2])<<8 | int(p[1])<<16 | int(p[0])<<24 }
	default:
		return 0, errExif
	}
	ifd := u32(t[4:8])
	if ifd < 8 || ifd+2 > len(t) {
		return 0, errExif
	}
	n := u16(t[ifd : ifd+2])
	for k := 0; k < n; k++ {
		e := ifd + 2 + 12*k
		if e+12 > len(t) {
			return 0, errExif
		}
		if u16(t[e:e+2]) == 0x0112 && u16(t[e+2:e+4]) == 3 {
			if o := u16(t[e+8 : e+10]); o >= 1 && o <= 8 {
				return o, nil
			}
			return 0, errExif
		}
	}
	return 0, errExif
}
