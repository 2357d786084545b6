#!/bin/sh
# Draws build/icon.png (512×512, the source electron-builder makes every platform's icon from) with
# ImageMagick: a shield with an H and a check mark. Run from the repository root after changing it.
set -eu
convert -size 512x512 xc:none \
  -fill '#1e40af' -draw 'roundrectangle 16,16,495,495,96,96' \
  -fill '#2563eb' -draw 'polygon 256,70 420,130 420,270 256,450 92,270 92,130' \
  -fill white -font DejaVu-Sans-Bold -pointsize 200 -gravity center -annotate +0-10 'H' \
  -fill none -stroke '#facc15' -strokewidth 24 -draw 'stroke-linejoin round stroke-linecap round polyline 300,360 340,400 420,300' \
  -depth 8 build/icon.png
