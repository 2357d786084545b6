#!/bin/sh
# Copies the screenshots the console guide shows from test-artifacts/screens (written by
# test/integration/demo/demo.test.ts, which drives the demo fleet in Chromium) to docs/images,
# scaled to 1000 px wide and stripped of metadata. Run from the repository root after that test.
set -eu
mkdir -p docs/images
for screen in fleets inventory live failures integration local-receiver replay audit; do
  convert "test-artifacts/screens/demo-$screen.png" -resize '1000x>' +dither -colors 256 -strip "docs/images/$screen.png"
done
