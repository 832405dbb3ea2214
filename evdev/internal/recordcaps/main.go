// Command recordcaps boots the test guest with every input device qemu
// offers and records each one's capability bitmaps, as the kernel exposes
// them in /sys/class/input/inputN/{name,capabilities/*,properties}, into
// evdev/testdata/caps/<name>.txt for the classification tests.
//
//	go run ./evdev/internal/recordcaps -o evdev/testdata/caps
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gocomp/evdev/guest"
)

// dump prints, per input device, "== <name>" then "<file>: <bitmap>" lines.
const dump = `for d in /sys/class/input/input*; do
	echo "== $(cat $d/name)"
	for f in ev key rel abs msc sw led; do echo "$f: $(cat $d/capabilities/$f)"; done
	echo "properties: $(cat $d/properties)"
done`

func main() {
	out := flag.String("o", "evdev/testdata/caps", "output directory")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	vm, err := guest.Boot(ctx, guest.Config{
		Devices: []string{
			"virtio-keyboard-pci", "virtio-mouse-pci", "virtio-tablet-pci",
			"usb-kbd,bus=xhci.0", "usb-mouse,bus=xhci.0", "usb-tablet,bus=xhci.0",
		},
		Modules: []string{"psmouse", "pcspkr", "button"},
		Logf:    log.Printf,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer vm.Close()
	time.Sleep(3 * time.Second) // USB enumeration
	text, err := vm.Run(ctx, "sh", "-c", dump)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	for _, block := range strings.Split(text, "== ")[1:] {
		name, body, _ := strings.Cut(block, "\n")
		file := strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r
			}
			if r >= 'A' && r <= 'Z' {
				return r + 'a' - 'A'
			}
			return '-'
		}, name) + ".txt"
		data := fmt.Sprintf("# Recorded by evdev/internal/recordcaps from a qemu guest (Debian kernel).\nname: %s\n%s", name, body)
		if err := os.WriteFile(filepath.Join(*out, file), []byte(data), 0o644); err != nil {
			log.Fatal(err)
		}
		log.Printf("recorded %s", file)
	}
}
