# Builds hotfolder for every supported platform and the installable
# packages. "make packages" needs Go, wixl (apt package "wixl") for the
# .msi, and the Go module proxy for nfpm on first use.
#
#   make build      binaries in dist/<os>_<arch>/
#   make packages   build, then dist/*.deb, dist/*.rpm and dist/*.msi
#   make check      list the packages' contents and check every file is there
#   make clean      remove dist/

GO ?= go
DIST := $(abspath dist)
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
PKG_VERSION := $(shell packaging/version.sh package $(VERSION))
MSI_VERSION := $(shell packaging/version.sh msi $(VERSION))
LDFLAGS := -s -w -X github.com/hotfolder/hotfolder/agent.Version=$(VERSION)
PLATFORMS := linux/amd64 linux/arm64 windows/amd64 windows/arm64 darwin/arm64
LINUX_ARCHS := amd64 arm64
NFPM := $(DIST)/tools/nfpm

.PHONY: build packages deb-rpm msi check clean

build:
	@for p in $(PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
	  echo "go build $$os/$$arch ($(VERSION))"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "$(LDFLAGS)" \
	    -o $(DIST)/$${os}_$${arch}/hotfolder$$ext ./cmd/hotfolder || exit 1; \
	done

packages: build deb-rpm msi

# nfpm lives in its own module, packaging/tools, so the product's go.mod
# stays free of packaging dependencies.
$(NFPM): packaging/tools/go.mod packaging/tools/go.sum
	cd packaging/tools && $(GO) build -o $(NFPM) github.com/goreleaser/nfpm/v2/cmd/nfpm

$(DIST)/agent.linux.toml: agent.toml.example packaging/make-config.sh
	@mkdir -p $(DIST)
	packaging/make-config.sh linux > $@

$(DIST)/agent.windows.toml: agent.toml.example packaging/make-config.sh
	@mkdir -p $(DIST)
	packaging/make-config.sh windows > $@

# Packages of earlier versions are removed first, so dist/ holds one
# package per kind and architecture.
deb-rpm: build $(NFPM) $(DIST)/agent.linux.toml
	rm -f $(DIST)/*.deb $(DIST)/*.rpm
	@for arch in $(LINUX_ARCHS); do \
	  sed -e "s|\$${ARCH}|$$arch|g" -e "s|\$${PKG_VERSION}|$(PKG_VERSION)|g" -e "s|\$${DIST}|$(DIST)|g" \
	    packaging/nfpm.yaml > $(DIST)/nfpm_$$arch.yaml || exit 1; \
	  for packager in deb rpm; do \
	    $(NFPM) package --config $(DIST)/nfpm_$$arch.yaml --packager $$packager --target $(DIST)/ || exit 1; \
	  done; \
	done

# wixl 0.101 builds x86 and x64 packages only, so there is no arm64 .msi;
# dist/windows_arm64/hotfolder.exe is installed with "hotfolder install".
msi: build $(DIST)/agent.windows.toml
	@command -v wixl >/dev/null || { echo "wixl not found: install it with \"apt-get install wixl\""; exit 1; }
	rm -f $(DIST)/*.msi
	cd $(DIST) && wixl -a x64 -D Version=$(MSI_VERSION) -D Exe=windows_amd64/hotfolder.exe \
	  -D Config=agent.windows.toml -o hotfolder_$(PKG_VERSION)_amd64.msi $(CURDIR)/packaging/windows/hotfolder.wxs

check:
	packaging/check-packages.sh $(DIST)

clean:
	rm -rf $(DIST)
