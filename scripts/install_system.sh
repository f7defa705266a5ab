#!/usr/bin/env bash
# Debian packages for CPU rendering: EGL/Mesa for MuJoCo (LIBERO), Vulkan lavapipe (Mesa >= 25, bookworm-backports)
# for SAPIEN (SimplerEnv), ImageMagick's MagickWand for LIBERO-Plus noise variants, headless Chromium for the viewer's
# browser test (tests/test_results_view_browser.py) and `make bench-view`; gcc + libvulkan-dev build the Vulkan layer that
# lets SAPIEN 2.2.2 (the official SimplerEnv stack) create its device on lavapipe.
set -euo pipefail
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
stamp=/var/tmp/vla-harness-system-deps.v3
[ -f "$stamp" ] && exit 0
if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee /etc/apt/sources.list.d/backports.list >/dev/null
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  libegl1 libegl-mesa0 libgl1-mesa-dri libgles2 libglvnd0 libosmesa6 libvulkan1 libmagickwand-6.q16-6 \
  libvulkan-dev gcc libc6-dev >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports \
  mesa-vulkan-drivers libegl-mesa0 libgl1-mesa-dri libglx-mesa0 libgbm1 >/dev/null
# after the backports Mesa, so that its libraries satisfy Chromium's and are not pulled back
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
$SUDO touch "$stamp"
