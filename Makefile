# rq — build, test, install, benchmark and demo.
# `make test` is what CI runs (.ci/run); `make install` is the newcomer's first command.

PREFIX  ?= /usr/local
DESTDIR ?=
CARGO   ?= cargo
BINDIR   = $(DESTDIR)$(PREFIX)/bin
MANDIR   = $(DESTDIR)$(PREFIX)/share/man/man1
BASHDIR  = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHDIR   = $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHDIR  = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d

.PHONY: build test install uninstall bench demo completions man fuzz leak-check

build:
	$(CARGO) build --release --locked

# Lints first (cheap), then every test through nextest when it is installed. The fuzz
# targets are linted too, so a change to the library cannot leave them unbuildable.
test:
	$(CARGO) fmt --all -- --check
	$(CARGO) fmt --manifest-path fuzz/Cargo.toml -- --check
	$(CARGO) clippy --locked --all-targets -- -D warnings
	$(CARGO) clippy --locked --manifest-path fuzz/Cargo.toml --bins -- -D warnings
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
		$(CARGO) nextest run --locked --no-fail-fast; \
	else \
		$(CARGO) test --locked; \
	fi

install: build
	install -Dm755 target/release/rq $(BINDIR)/rq
	install -Dm644 man/rq.1 $(MANDIR)/rq.1
	install -Dm644 completions/rq.bash $(BASHDIR)/rq
	install -Dm644 completions/_rq $(ZSHDIR)/_rq
	install -Dm644 completions/rq.fish $(FISHDIR)/rq.fish

uninstall:
	rm -f $(BINDIR)/rq $(MANDIR)/rq.1 $(BASHDIR)/rq $(ZSHDIR)/_rq $(FISHDIR)/rq.fish

# rq vs curl (and xh / httpie when on PATH) against a local server; writes bench/RESULTS.md.
bench:
	$(CARGO) build --release --locked --bin rq --example bench
	target/release/examples/bench

# Start the local demo server and show rq against it: real output, no internet needed.
demo:
	$(CARGO) build --release --locked --bin rq --example serve
	@bash .ci/demo.sh target/release/rq target/release/examples/serve

# The completions and the man page come from rq's clap definition through a build-time
# generator (examples/generate), not from the rq binary.
GENERATE = $(CARGO) run --quiet --locked --example generate --

completions:
	$(GENERATE) complete-bash > completions/rq.bash
	$(GENERATE) complete-zsh > completions/_rq
	$(GENERATE) complete-fish > completions/rq.fish
	$(GENERATE) complete-powershell > completions/_rq.ps1
	$(GENERATE) complete-elvish > completions/rq.elv

man:
	$(GENERATE) man > man/rq.1

# Fuzz every target for FUZZ_SECONDS each (cargo-fuzz; RUSTC_BOOTSTRAP lets it use the
# stable toolchain). Crashes land in fuzz/artifacts/TARGET/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = items nested_json json_formatter xml_formatter content_disposition netrc session head_reader from_curl
fuzz:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install --locked cargo-fuzz
	cd fuzz && for t in $(FUZZ_TARGETS); do \
		RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run --sanitizer none $$t -- \
			-max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=1024 -timeout=10 || exit 1; \
	done

# The whole test suite with LeakSanitizer built into rq and the tests (a separate build
# under target/lsan; RUSTC_BOOTSTRAP lets the stable toolchain take the flag). A process
# that leaks exits 23 and writes its report to target/lsan/reports/, which fails the run.
HOST = $(shell rustc -vV | sed -n 's/^host: //p')
leak-check:
	mkdir -p target/lsan/reports && rm -f target/lsan/reports/leak.*
	RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zsanitizer=leak" \
	LSAN_OPTIONS="log_path=$(CURDIR)/target/lsan/reports/leak" \
		$(CARGO) nextest run --locked --no-fail-fast --target $(HOST) --target-dir target/lsan
	@if ls target/lsan/reports/leak.* >/dev/null 2>&1; then \
		cat target/lsan/reports/leak.*; echo "leaks found (above)"; exit 1; \
	fi
	@echo "no leaks"
