#!/usr/bin/env bash
# Installs hubfleet for the GitHub Action (action.yml runs it; it runs in a
# terminal too, with the same variables).
#
#   install.sh resolve    which release the action ref names, if any
#   install.sh download   download that release's binary, verify it against
#                         the release's checksums file (fail closed), cache it
#   install.sh build      build from the action's own source (no release)
#   install.sh report     log how long the install took
#
# Variables (the action sets them from its context):
#   HUBFLEET_ACTION_REF, HUBFLEET_ACTION_REPOSITORY  the ref and owner/repo of
#       the action (github.action_ref and github.action_repository, which
#       are not always set in composite actions: then they are read from
#       GITHUB_ACTION_PATH, .../_actions/<owner>/<repo>/<ref>/action)
#   HUBFLEET_RELEASE_TAG, HUBFLEET_RELEASE_REPOSITORY, HUBFLEET_RELEASE_COMMIT
#       what resolve found (the commit when the action is pinned by SHA: the
#       installed binary must report it)
#   HUBFLEET_INSTALL_START  resolve's start time (ms) for report
#   HUBFLEET_INSTALL_HOW    how the binary came: download or build
#   GITHUB_SERVER_URL (https://github.com), RUNNER_TEMP (the binary goes to
#   $RUNNER_TEMP/hubfleet), RUNNER_OS, RUNNER_ARCH, GITHUB_OUTPUT
#   HUBFLEET_CACHE_DIR  where verified archives are kept between runs
#       (default ~/.cache/hubfleet-action; action.yml restores it with
#       actions/cache)
set -euo pipefail

now_ms() {
  if [[ -n ${EPOCHREALTIME:-} ]]; then
    local s=${EPOCHREALTIME/[.,]/}
    echo $((s / 1000))
  else
    echo "$(date +%s)000"
  fi
}

output() { # name value
  if [[ -n ${GITHUB_OUTPUT:-} ]]; then
    echo "$1=$2" >>"$GITHUB_OUTPUT"
  fi
  echo "$1=$2"
}

error() { # message
  if [[ ${GITHUB_ACTIONS:-} == true ]]; then
    echo "::error title=hubfleet install::$1" >&2
  else
    echo "install.sh: error: $1" >&2
  fi
}

notice() {
  if [[ ${GITHUB_ACTIONS:-} == true ]]; then
    echo "::notice title=hubfleet install::$1"
  else
    echo "install.sh: $1"
  fi
}

sha256() { # file
  if command -v sha256sum >/dev/null; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

bin_path() { echo "${RUNNER_TEMP:?RUNNER_TEMP is not set}/hubfleet"; }

# A release tag: v1.2.3 or v1.2.3-rc.1. Branches, commit SHAs and moving
# major tags (v1) have no release of their own: they build from source.
release_tag_re='^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'

resolve() {
  output start "$(now_ms)"
  local ref=${HUBFLEET_ACTION_REF:-} repo=${HUBFLEET_ACTION_REPOSITORY:-}
  if [[ -z $ref || -z $repo ]] && [[ ${GITHUB_ACTION_PATH:-} == */_actions/*/*/*/* ]]; then
    # .../_actions/<owner>/<repo>/<ref>/<subdir>
    local rest=${GITHUB_ACTION_PATH#*/_actions/}
    IFS=/ read -r owner name pathref _ <<<"$rest"
    [[ -z $repo ]] && repo=$owner/$name
    [[ -z $ref ]] && ref=$pathref
  fi
  if [[ $ref =~ $release_tag_re && -n $repo ]]; then
    output tag "$ref"
    output commit ""
    output repository "$repo"
    echo "the action runs at release $ref of $repo: downloading its binary"
    return 0
  fi
  if [[ $ref =~ ^[0-9a-f]{40}$ && -n $repo ]]; then
    # Workflows pin the action by commit (hubfleet init writes
    # @<sha> # vX.Y.Z): find the release tag at that commit.
    local tag
    if tag=$(release_tag_at "$repo" "$ref"); then
      if [[ -n $tag ]]; then
        output tag "$tag"
        output commit "$ref"
        output repository "$repo"
        echo "the action runs at commit $ref, release $tag of $repo: downloading its binary"
        return 0
      fi
    else
      notice "could not list the tags of $repo: building hubfleet from source"
    fi
  fi
  output tag ""
  output commit ""
  output repository "$repo"
  echo "the action runs at ${ref:-an unknown ref}, not a release: building hubfleet from source"
}

# release_tag_at REPO SHA: the release tag (vX.Y.Z) pointing at SHA, by
# git ls-remote (annotated tags are peeled); empty when there is none.
release_tag_at() {
  local url=${GITHUB_SERVER_URL:-https://github.com}/$1 refs
  refs=$(GIT_TERMINAL_PROMPT=0 git -c http.lowSpeedLimit=1000 -c http.lowSpeedTime=30 ls-remote --tags "$url") || return 1
  awk -v sha="$2" '$1 == sha { t = $2; sub("^refs/tags/", "", t); sub("\\^\\{\\}$", "", t); print t }' <<<"$refs" |
    grep -E "$release_tag_re" | sort -u -V | tail -n 1 || true
}

platform() {
  local os arch
  case ${RUNNER_OS:-$(uname -s)} in
    Linux) os=linux ;;
    macOS | Darwin) os=darwin ;;
    *) return 1 ;;
  esac
  case ${RUNNER_ARCH:-$(uname -m)} in
    X64 | x86_64 | amd64) arch=amd64 ;;
    ARM64 | arm64 | aarch64) arch=arm64 ;;
    *) return 1 ;;
  esac
  echo "${os}_${arch}"
}

# fetch URL FILE: prints the HTTP status; curl follows GitHub's redirect to
# its asset storage. Transport errors are retried, then fail.
fetch() {
  curl --silent --show-error --location --retry 3 --retry-delay 1 \
    --connect-timeout 20 --max-time 300 --proto '=https,http' \
    --output "$2" --write-out '%{http_code}' "$1"
}

download() {
  local tag=${HUBFLEET_RELEASE_TAG:?HUBFLEET_RELEASE_TAG is not set (run resolve first)}
  local repo=${HUBFLEET_RELEASE_REPOSITORY:?HUBFLEET_RELEASE_REPOSITORY is not set}
  local version=${tag#v} plat
  if ! plat=$(platform); then
    notice "no release binary for ${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}: building from source"
    output installed false
    return 0
  fi
  local base=${GITHUB_SERVER_URL:-https://github.com}/$repo/releases/download/$tag
  local archive=hubfleet_${version}_${plat}.tar.gz
  local sums=hubfleet_${version}_checksums.txt
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT

  local code
  code=$(fetch "$base/$sums" "$tmp/$sums") || {
    error "downloading $base/$sums failed"
    return 1
  }
  if [[ $code == 404 ]]; then
    notice "$repo has no release $tag with a checksums file: building from source"
    output installed false
    return 0
  fi
  if [[ $code != 200 ]]; then
    error "downloading $base/$sums: HTTP $code"
    return 1
  fi
  local want
  want=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$tmp/$sums")
  if [[ -z $want ]]; then
    notice "release $tag has no $archive in $sums: building from source"
    output installed false
    return 0
  fi
  if [[ ! $want =~ ^[0-9a-f]{64}$ ]]; then
    error "$sums lists $archive with a malformed checksum"
    return 1
  fi

  local cache=${HUBFLEET_CACHE_DIR:-$HOME/.cache/hubfleet-action}
  local how=download
  mkdir -p "$cache"
  if [[ -f $cache/$archive ]] && [[ $(sha256 "$cache/$archive") == "$want" ]]; then
    how="cache"
    cp "$cache/$archive" "$tmp/$archive"
  else
    rm -f "$cache/$archive"
    code=$(fetch "$base/$archive" "$tmp/$archive") || {
      error "downloading $base/$archive failed"
      return 1
    }
    if [[ $code != 200 ]]; then
      error "downloading $base/$archive: HTTP $code"
      return 1
    fi
    local got
    got=$(sha256 "$tmp/$archive")
    if [[ $got != "$want" ]]; then
      error "checksum mismatch for $archive from release $tag: $sums says sha256 $want, the download is $got. Nothing was installed."
      return 1
    fi
    cp "$tmp/$archive" "$cache/$archive.partial" && mv "$cache/$archive.partial" "$cache/$archive"
  fi

  mkdir -p "$tmp/x"
  tar -xzf "$tmp/$archive" -C "$tmp/x" hubfleet
  local bin
  bin=$(bin_path)
  mkdir -p "$(dirname "$bin")"
  install -m 0755 "$tmp/x/hubfleet" "$bin.partial"
  mv "$bin.partial" "$bin"
  if [[ -n ${HUBFLEET_RELEASE_COMMIT:-} ]] && ! "$bin" version -o json 2>/dev/null | grep -q "$HUBFLEET_RELEASE_COMMIT"; then
    rm -f "$bin"
    error "the binary of release $tag does not report commit $HUBFLEET_RELEASE_COMMIT, the commit the action is pinned to. Nothing was installed."
    return 1
  fi
  echo "installed hubfleet $tag ($plat, sha256 $want, from the $how) at $bin"
  output installed true
  output how "$how"
}

build() {
  local src
  src=$(cd "$(dirname "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}")" && pwd)
  local bin
  bin=$(bin_path)
  (cd "$src" && go build -trimpath -o "$bin" ./cmd/hubfleet)
  echo "built hubfleet from $src at $bin"
}

report() {
  local start=${HUBFLEET_INSTALL_START:-} how=${HUBFLEET_INSTALL_HOW:-installed}
  if [[ -z $start ]]; then
    echo "install took an unknown time (no start time)"
    return 0
  fi
  local ms=$(($(now_ms) - start))
  local msg
  msg=$(printf 'hubfleet %s in %d.%01d s' "$how" $((ms / 1000)) $(((ms % 1000) / 100)))
  notice "$msg"
  output install-ms "$ms"
}

case ${1:-} in
  resolve) resolve ;;
  download) download ;;
  build) build ;;
  report) report ;;
  *)
    sed -n '2,12p' "$0" >&2
    exit 2
    ;;
esac
