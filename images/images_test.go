package images_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"strings"
	"testing"

	"convene/images"
)

// picture is a w × h image, red in its top-left quarter, blue elsewhere,
// with alpha a.
func picture(w, h int, a uint8) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.NRGBA{0, 0, 255, a}
			if x < w/2 && y < h/2 {
				c = color.NRGBA{255, 0, 0, a}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeGIF(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withExif puts an APP1 Exif segment (big-endian TIFF, one IFD holding the
// orientation and a GPS-like ASCII note) and a comment after the SOI.
func withExif(jpg []byte, orientation int, note string) []byte {
	var tiff bytes.Buffer
	tiff.WriteString("MM\x00\x2a\x00\x00\x00\x08")
	be := binary.BigEndian
	entries := 2
	_ = binary.Write(&tiff, be, uint16(entries))
	// 0x0112 Orientation, SHORT, 1 value.
	_ = binary.Write(&tiff, be, []uint16{0x0112, 3})
	_ = binary.Write(&tiff, be, uint32(1))
	_ = binary.Write(&tiff, be, []uint16{uint16(orientation), 0})
	// 0x010E ImageDescription, ASCII, at an offset after the IFD.
	_ = binary.Write(&tiff, be, []uint16{0x010E, 2})
	_ = binary.Write(&tiff, be, uint32(len(note)+1))
	_ = binary.Write(&tiff, be, uint32(8+2+12*entries+4))
	_ = binary.Write(&tiff, be, uint32(0)) // no next IFD
	tiff.WriteString(note + "\x00")
	app1 := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	com := []byte("comment: " + note)
	var out bytes.Buffer
	out.Write(jpg[:2])
	out.Write([]byte{0xFF, 0xE1, byte((len(app1) + 2) >> 8), byte(len(app1) + 2)})
	out.Write(app1)
	out.Write([]byte{0xFF, 0xFE, byte((len(com) + 2) >> 8), byte(len(com) + 2)})
	out.Write(com)
	out.Write(jpg[2:])
	return out.Bytes()
}

// withPNGText adds a tEXt chunk after the IHDR.
func withPNGText(p []byte, text string) []byte {
	chunk := func(kind string, data []byte) []byte {
		var c bytes.Buffer
		_ = binary.Write(&c, binary.BigEndian, uint32(len(data)))
		c.WriteString(kind)
		c.Write(data)
		_ = binary.Write(&c, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(kind), data...)))
		return c.Bytes()
	}
	ihdrEnd := 8 + 8 + 13 + 4
	out := append([]byte{}, p[:ihdrEnd]...)
	out = append(out, chunk("tEXt", []byte("Comment\x00"+text))...)
	return append(out, p[ihdrEnd:]...)
}

// claimingSize rewrites a PNG's IHDR to claim w × h pixels (with a right
// checksum): a small file that would decode to a huge picture.
func claimingSize(p []byte, w, h uint32) []byte {
	out := append([]byte{}, p...)
	binary.BigEndian.PutUint32(out[16:], w)
	binary.BigEndian.PutUint32(out[20:], h)
	binary.BigEndian.PutUint32(out[29:], crc32.ChecksumIEEE(out[12:29]))
	return out
}

func TestPrepareCover(t *testing.T) {
	webp, err := os.ReadFile("testdata/x-image-blue-purple-pink.webp")
	if err != nil {
		t.Fatal(err)
	}
	const secret = "GPS 51.5393N 0.1028W Amira's phone"
	good := encodePNG(t, picture(800, 400, 255))
	tests := []struct {
		name string
		in   []byte
		// w, h are the size wanted; 0 for a refusal whose message holds problem.
		w, h    int
		problem string
	}{
		{"PNG", good, 800, 400, ""},
		{"PNG with a text chunk", withPNGText(good, secret), 800, 400, ""},
		{"large PNG is scaled down", encodePNG(t, picture(3400, 850, 255)), 1600, 400, ""},
		{"tall picture is scaled down", encodePNG(t, picture(850, 3400, 255)), 400, 1600, ""},
		{"JPEG", encodeJPEG(t, picture(640, 480, 255)), 640, 480, ""},
		{"JPEG with Exif and a comment", withExif(encodeJPEG(t, picture(640, 480, 255)), 1, secret), 640, 480, ""},
		{"JPEG turned by its Exif", withExif(encodeJPEG(t, picture(640, 480, 255)), 6, secret), 480, 640, ""},
		{"GIF", encodeGIF(t, picture(500, 300, 255)), 500, 300, ""},
		{"transparent PNG", encodePNG(t, picture(600, 300, 0)), 600, 300, ""},
		{"WebP", webp, 600, 400, ""},
		{"empty", nil, 0, 0, "Choose an image file"},
		{"text named .png", []byte("hello, this is not a picture at all"), 0, 0, "must be a JPEG, PNG, GIF or WebP"},
		{"HTML", []byte("<!doctype html><script>alert(1)</script>"), 0, 0, "must be a JPEG, PNG, GIF or WebP"},
		{"SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>`), 0, 0, "must be a JPEG, PNG, GIF or WebP"},
		{"PDF", []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj"), 0, 0, "must be a JPEG, PNG, GIF or WebP"},
		{"GIF header, then a page", append([]byte("GIF89a\x20\x03\x90\x01\x00\x00\x00"), []byte("<html><script>alert(1)</script>")...), 0, 0, "could not be read"},
		{"truncated PNG", good[:len(good)/2], 0, 0, "could not be read"},
		{"too small", encodePNG(t, picture(300, 300, 255)), 0, 0, "at least 400 pixels wide and 200 high (this one is 300 × 300)"},
		{"too narrow once turned", withExif(encodeJPEG(t, picture(640, 300, 255)), 6, ""), 0, 0, "this one is 300 × 640"},
		{"decompression bomb", claimingSize(good, 30000, 30000), 0, 0, "under 40 megapixels"},
		{"too big a file", append(append([]byte{}, good...), make([]byte, images.MaxBytes)...), 0, 0, "smaller than 8 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := images.PrepareCover(tt.in)
			if tt.problem != "" {
				var p *images.Problem
				if !errors.As(err, &p) || !strings.Contains(p.Message, tt.problem) {
					t.Fatalf("error %v, want a problem saying %q", err, tt.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Width != tt.w || c.Height != tt.h {
				t.Errorf("%d × %d, want %d × %d", c.Width, c.Height, tt.w, tt.h)
			}
			img, format, err := image.Decode(bytes.NewReader(c.JPEG))
			if err != nil || format != "jpeg" {
				t.Fatalf("output is %s (%v), want a JPEG", format, err)
			}
			if b := img.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
				t.Errorf("JPEG is %v", b)
			}
			for _, leak := range []string{"Exif", "GPS", "Amira", "comment", "tEXt"} {
				if bytes.Contains(c.JPEG, []byte(leak)) {
					t.Errorf("output keeps %q from the upload", leak)
				}
			}
		})
	}
}

// TestPrepareCoverPixels: orientation and transparency reach the pixels.
func TestPrepareCoverPixels(t *testing.T) {
	at := func(t *testing.T, c *images.Cover, x, y int) (r, g, b uint32) {
		t.Helper()
		img, err := jpeg.Decode(bytes.NewReader(c.JPEG))
		if err != nil {
			t.Fatal(err)
		}
		r, g, b, _ = img.At(x, y).RGBA()
		return r >> 8, g >> 8, b >> 8
	}
	red := func(r, g, b uint32) bool { return r > 200 && g < 60 && b < 60 }
	white := func(r, g, b uint32) bool { return r > 230 && g > 230 && b > 230 }

	// Red is top left as the sensor saw it; orientation 6 says to turn it
	// a quarter clockwise, so red ends top right.
	c, err := images.PrepareCover(withExif(encodeJPEG(t, picture(640, 480, 255)), 6, ""))
	if err != nil {
		t.Fatal(err)
	}
	if r, g, b := at(t, c, c.Width-20, 20); !red(r, g, b) {
		t.Errorf("top right is %d,%d,%d after turning, want red", r, g, b)
	}
	if r, g, b := at(t, c, 20, 20); red(r, g, b) {
		t.Error("top left is still red: the picture was not turned")
	}
	c, err = images.PrepareCover(encodePNG(t, picture(600, 300, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if r, g, b := at(t, c, 10, 10); !white(r, g, b) {
		t.Errorf("a transparent pixel became %d,%d,%d, want white", r, g, b)
	}
}
