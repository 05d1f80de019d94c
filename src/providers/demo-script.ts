// `bot-bottle-demo`, installed in the shell image: the built-in `demo` bottle
// runs it to show the walls. Exit 0 when the walls held (direct access failed
// and the non-allowed host was refused), 1 otherwise.
export const DEMO_SCRIPT = String.raw`#!/bin/bash
set -u
say() { printf '\n== %s\n' "$*"; }
proxy_lines() { grep -E '^< (HTTP|[Xx]-[Bb]ot)|^curl:' | sed 's/^/   /'; }
ok=0

say "Who am I"
echo "   $(id)"
echo "   bottle ${"$"}{BOT_BOTTLE:-?} on $(hostname), working in $(pwd)"
echo "   every request leaves through the bundle proxy: ${"$"}{HTTPS_PROXY:-none}"

say "Direct network access, bypassing the proxy (must fail)"
if out=$(curl --noproxy '*' -sS -m 3 -o /dev/null https://example.com 2>&1); then
  echo "   UNEXPECTED: direct access worked"; ok=1
else
  echo "   blocked: $out"
fi
if out=$(curl --noproxy '*' -sS -m 3 -o /dev/null http://1.1.1.1 2>&1); then
  echo "   UNEXPECTED: direct access to 1.1.1.1 worked"; ok=1
else
  echo "   blocked: $out"
fi

say "An allowed host (example.com) goes through the proxy"
echo "   (with no internet the proxy answers with its own error; with internet this is example.com)"
curl -sv -m 20 -o /dev/null https://example.com/ 2>&1 | proxy_lines
curl -s -m 20 -i http://example.com/ 2>&1 | head -n 12 | sed 's/^/   /'

say "A host that is not allowed (github.com) is refused by the proxy"
out=$(curl -sv -m 20 -o /dev/null https://github.com/ 2>&1)
echo "$out" | proxy_lines
body=$(curl -s -m 20 -i http://github.com/ 2>&1)
echo "$body" | head -n 12 | sed 's/^/   /'
if echo "$out" | grep -q ' 403' || echo "$body" | grep -q '^HTTP/[0-9.]* 403'; then
  echo "   refused with 403, as the policy says"
else
  echo "   UNEXPECTED: github.com was not refused with 403"; ok=1
fi
echo
[ "$ok" = 0 ] && echo "The walls held." || echo "Something got through: check the policy."
exit $ok
`;
