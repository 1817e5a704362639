#!/usr/bin/env bash
# Prints the names of the functions declared in a yespo header, one per line, sorted.
# A declaration is a line that is not a typedef/macro/comment and names yespo_xxx( .
set -euo pipefail
header="${1:?usage: header-functions.sh path/to/yespo.h}"
grep -v -E '^\s*(typedef|#|/\*|\*)' "$header" \
  | grep -o -E '\byespo_[a-z0-9_]+\(' \
  | tr -d '(' | sort -u
