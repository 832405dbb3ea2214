# gocomp — build, run and test.
#
#   make run    build gocomp and run weston-simple-shm under it (headless)
#   make test   install what the tests need, then run every check and test
#
# `make test` is what .ci/run calls. It runs as root on a fresh Debian
# machine without standard input, so it installs its own packages.

GO        ?= go
BIN       := ./gocomp
CACHE     := $(CURDIR)/.cache

# Debian packages the tests use: real Wayland clients (wtype and grim for
# the virtual keyboard and screencopy), libxkbcommon as the
# XKB oracle, and the qemu guest rig for real evdev/udev behaviour.
DEB_PACKAGES := gcc pkg-config linux-libc-dev wayland-utils wev weston foot wtype grim \
	libwayland-dev wayland-protocols \
	xkb-data libxkbcommon-dev libxkbcommon-tools \
	qemu-system-x86 busybox-static cpio strace qemu-user-static adwaita-icon-theme libpixman-1-dev \
	seatd dbus-daemon

.PHONY: all build run test deps check cross gotest bench1x kernel fuzz bench conformance clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/gocomp

# run starts gocomp on its headless backend with a real client for
# RUN_SECONDS, then ends the session with SIGTERM, as a user would; gocomp
# writes what its output showed to gocomp-run.png on the way out. It makes
# a private XDG_RUNTIME_DIR when none is set.
RUN_SECONDS ?= 5
run: deps build
	@dir="$${XDG_RUNTIME_DIR:-$$(mktemp -d)}"; \
	XDG_RUNTIME_DIR="$$dir" timeout --preserve-status -s TERM $(RUN_SECONDS) \
		$(BIN) --backend headless --screenshot-on-exit gocomp-run.png -- weston-simple-shm; \
	status=$$?; echo "gocomp exited with status $$status; screenshot: gocomp-run.png"; exit $$status

# deps installs the Debian packages above; apt-get update runs only when one
# of them is missing, so a second run is quick.
deps:
	@if ! dpkg-query -W -f='$${Status}\n' $(DEB_PACKAGES) 2>/dev/null | grep -qv '^install ok installed$$' && \
	    [ "$$(dpkg-query -W -f='$${Status}\n' $(DEB_PACKAGES) 2>/dev/null | wc -l)" -eq "$(words $(DEB_PACKAGES))" ]; then \
		echo "deps: all Debian packages present"; \
	else \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -q && apt-get install -y -q --no-install-recommends $(DEB_PACKAGES); \
	fi

# kernel fetches Debian's current kernel package for the guest rig into
# $(CACHE)/kernel (git-ignored), once.
kernel:
	@set -e; pkg=$$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $$2; exit}'); \
	test -n "$$pkg" || { echo "kernel: cannot resolve linux-image-amd64's kernel package"; exit 1; }; \
	if [ ! -f "$(CACHE)/kernel/$$pkg/.done" ]; then \
		rm -rf "$(CACHE)/kernel/$$pkg"; mkdir -p "$(CACHE)/kernel/$$pkg"; \
		cd "$(CACHE)/kernel/$$pkg" && apt-get download "$$pkg" && dpkg-deb -x "$$pkg"_*.deb root && rm -f "$$pkg"_*.deb && touch .done; \
	fi; \
	ln -sfn "$$pkg" "$(CACHE)/kernel/current"; echo "kernel: $(CACHE)/kernel/current -> $$pkg"

# check: formatting, vet, and generated code in sync with its generators.
check:
	$(GO) mod download
	@out=$$(gofmt -l $$(git ls-files '*.go') ); test -z "$$out" || { echo "gofmt would change:"; echo "$$out"; exit 1; }
	$(GO) vet ./...
	@before=$$(git status --porcelain; git diff | sha256sum); \
	$(GO) generate ./... && \
	after=$$(git status --porcelain; git diff | sha256sum); \
	test "$$before" = "$$after" || { git status --short; echo "go generate changed the tree: commit the regenerated files"; exit 1; }
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/gocomp

# cross builds gocomp for the small boards kiosks run on (arm64, 32-bit
# arm), vets every package (tests included) as 32-bit arm code, and runs
# the tests of the code whose memory layouts depend on the word size
# (evdev's struct input_event, the wire format, the renderer, the DRM and
# VT ioctl structs) as 32-bit arm programs under qemu-user. The guest
# tests and the logind test (it starts a host dbus-daemon) stay on the
# host.
ARM_TEST_PKGS := ./protocols/wire ./protocols/server ./compositor/render ./compositor/backend/drm ./compositor/session
cross:
	GOARCH=arm64 CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/gocomp
	GOARCH=arm GOARM=7 CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/gocomp
	GOARCH=arm GOARM=7 CGO_ENABLED=0 $(GO) vet ./...
	GOARCH=arm GOARM=7 CGO_ENABLED=0 $(GO) test -count=1 -exec qemu-arm-static -run 'Decode|EventLayout' ./evdev
	GOARCH=arm GOARM=7 CGO_ENABLED=0 $(GO) test -count=1 -exec qemu-arm-static -skip 'TestGuest|TestLogind' $(ARM_TEST_PKGS)

gotest:
	GOCOMP_KERNEL_DIR=$(CACHE)/kernel/current $(GO) test -count=1 -timeout 40m ./...

# bench1x runs every benchmark once, so the C anchors they build keep
# building and the production paths they drive keep working.
bench1x:
	$(GO) test -count=1 -run '^$$' -bench . -benchtime 1x ./...

test: deps kernel check cross gotest bench1x

# fuzz runs every fuzz target for FUZZTIME each (not part of `make test`).
FUZZTIME ?= 60s
# conformance checks every layout(variant) and option of the installed
# xkeyboard-config registry: gocomp and the installed libxkbcommon compile
# it and run the same random key stream; a table sums up. (make test runs
# a sample.) It needs only Go, a C compiler, pkg-config, libxkbcommon's
# headers and xkeyboard-config, not the test machine's packages.
conformance:
	$(GO) test -count=1 -run '^TestConformanceRegistry$$' -v ./xkb/state -args -conformance.all

fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -f $(BIN) gocomp-run.png
