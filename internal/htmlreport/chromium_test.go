package htmlreport

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// chromiumCommand is the browser the rendering test runs: $CHROMIUM, else
// chromium on PATH (Debian's package, installed by scripts/setup-chromium.sh).
func chromiumCommand(t *testing.T) string {
	t.Helper()
	if c := os.Getenv("CHROMIUM"); c != "" {
		return c
	}
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: run scripts/setup-chromium.sh (make test runs it), or set CHROMIUM to a Chromium binary")
	}
	return path
}

// TestRenderInChromium renders a report of real-shaped benchmark.json files
// (with samples) in headless Chromium and checks that the screenshot shows
// the charts: enough non-background pixels, and the series colours.
func TestRenderInChromium(t *testing.T) {
	browser := chromiumCommand(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	shot := filepath.Join(dir, "out.png")
	if err := os.WriteFile(page, []byte(render(t, load(t, nil, true), Options{})), 0o644); err != nil {
		t.Fatal(err)
	}
	const w, h = 1200, 2000
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--screenshot="+shot, "--window-size="+strconv.Itoa(w)+","+strconv.Itoa(h), "file://"+page)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", browser, err, out.Bytes())
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v\n%s", err, out.Bytes())
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot %s: %v", shot, err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Errorf("screenshot is %dx%d, want %dx%d", b.Dx(), b.Dy(), w, h)
	}
	st := pixelStats(img)
	t.Logf("%.1f %% of pixels not background, %d distinct colours, palette pixels %v", st.ink*100, st.distinct, st.palette)
	if st.ink < 0.05 {
		t.Errorf("screenshot is nearly blank: %.1f %% of pixels are not background", st.ink*100)
	}
	if st.distinct < 50 {
		t.Errorf("screenshot has %d distinct colours, want many (text, axes, series)", st.distinct)
	}
	for i, n := range st.palette[:3] { // the three models' colours
		if n < 500 {
			t.Errorf("series colour %s: %d pixels, want a chart's worth (≥ 500)", Palette[i], n)
		}
	}
	if t.Failed() {
		keep := filepath.Join(os.TempDir(), "nerbench-report-screenshot.png")
		if data, err := os.ReadFile(shot); err == nil && os.WriteFile(keep, data, 0o644) == nil {
			t.Logf("screenshot kept at %s", keep)
		}
	}
}

type stats struct {
	ink      float64 // share of pixels that are not page or card background
	distinct int     // distinct colours, quantized to 5 bits per channel
	palette  []int   // pixels close to each Palette colour
}

func pixelStats(img image.Image) stats {
	bg := []color.RGBA{{0xf6, 0xf8, 0xfa, 0xff}, {0xff, 0xff, 0xff, 0xff}}
	pal := make([]color.RGBA, len(Palette))
	for i, p := range Palette {
		v, _ := strconv.ParseUint(p[1:], 16, 32)
		pal[i] = color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
	}
	near := func(a, b color.RGBA, d int) bool {
		abs := func(x int) int { return max(x, -x) }
		return abs(int(a.R)-int(b.R)) <= d && abs(int(a.G)-int(b.G)) <= d && abs(int(a.B)-int(b.B)) <= d
	}
	s := stats{palette: make([]int, len(Palette))}
	seen := map[uint32]bool{}
	b := img.Bounds()
	ink := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			seen[uint32(c.R>>3)<<10|uint32(c.G>>3)<<5|uint32(c.B>>3)] = true
			if !near(c, bg[0], 2) && !near(c, bg[1], 2) {
				ink++
			}
			for i, p := range pal {
				if near(c, p, 24) {
					s.palette[i]++
				}
			}
		}
	}
	s.ink = float64(ink) / float64(b.Dx()*b.Dy())
	s.distinct = len(seen)
	return s
}
