#!/usr/bin/env bash
# Regenerates each package's PublicAPI.Unshipped.txt from the code (Microsoft.CodeAnalysis.PublicApiAnalyzers).
#
# Run it after adding, changing or removing public API (or after merging branches that did): the build fails with
# RS0016 (API not declared) or RS0017 (declared API gone) until the files match the code. The script empties each
# Unshipped file, lets the analyzer's own code fix (RS0016, through `dotnet format analyzers`) write back every public
# symbol not in PublicAPI.Shipped.txt, then builds the packages to prove the files and the code agree.
# A merge conflict in a PublicAPI.Unshipped.txt needs no hand-editing: take either side, then run this.
#
# Usage: scripts/update-public-api.sh [src/Stockpile.X ...]   (default: every project under src/)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -gt 0 ]; then
  projects=("$@")
else
  projects=(src/*/)
fi

for dir in "${projects[@]}"; do
  dir=${dir%/}
  csproj=$(ls "$dir"/*.csproj)
  echo "== $dir"
  if [ ! -f "$dir/PublicAPI.Shipped.txt" ]; then
    # A new package: nothing of it has shipped.
    printf '#nullable enable\n' > "$dir/PublicAPI.Shipped.txt"
    echo "   created $dir/PublicAPI.Shipped.txt (empty)"
  fi
  printf '#nullable enable\n' > "$dir/PublicAPI.Unshipped.txt"
  # --severity warn: RS0016 is a warning (made an error by TreatWarningsAsErrors); format fixes warnings and above.
  dotnet format analyzers "$csproj" --diagnostics RS0016 --severity warn
  echo "   $(($(wc -l < "$dir/PublicAPI.Unshipped.txt") - 1)) unshipped entries"
done

# The proof: RS0016/RS0017 (and everything else) are errors here, so a green build means the files match the code.
# A symbol removed after it shipped still fails (RS0017): mark it `*REMOVED*` in PublicAPI.Unshipped.txt by hand.
for dir in "${projects[@]}"; do
  dotnet build "${dir%/}" -c Release --nologo -v quiet
done
echo "public API files up to date"
