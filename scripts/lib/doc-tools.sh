# shellcheck shell=bash
# The tools the document tests need (docs/documents.md): the Noto CJK fonts the PDF writer
# embeds (fonts-noto-cjk) and poppler-utils (pdftotext reads the PDFs back, pdftoppm renders one
# page of each into target/documents/ for review). Installed with apt-get when missing.
zx_doc_tools() {
  local missing=()
  [ -f "${ZX_DOC_FONT_DIR:-/usr/share/fonts/opentype/noto}/NotoSerifCJK-Regular.ttc" ] || missing+=(fonts-noto-cjk)
  command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
  [ "${#missing[@]}" -eq 0 ] && return 0
  printf '[doc-tools] installing %s (apt-get)\n' "${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo -n)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
