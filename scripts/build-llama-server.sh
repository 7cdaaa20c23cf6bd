#!/usr/bin/env bash
# Build llama.cpp's `llama-server` (CPU only) from the llama.cpp source that node-llama-cpp ships as a
# git bundle, and install it into a per-machine cache outside the repo:
#
#   ${GENRM_CACHE_DIR:-$HOME/.cache/genrm}/llama-server/<bundle commit>/llama-server
#
# The OpenAI-compatible engine's tests run against this binary over real HTTP. The script works
# without network access (no CURL, no OpenSSL, no prebuilt web UI download) and is idempotent: when
# the cached binary exists and answers `--version`, it does nothing. The build links llama.cpp and
# ggml statically, so the binary needs only the C/C++ runtime (and libgomp).
#
# Environment:
#   GENRM_CACHE_DIR      cache root (default $HOME/.cache/genrm)
#   GENRM_BUILD_JOBS     parallel compile jobs (default 2)
#   GENRM_KEEP_BUILD=1   keep the source clone and build tree after a successful build
#   GENRM_LLAMA_NATIVE   ON (default) compiles for this CPU (-march=native); OFF for a portable binary
#
# Prints the path of the binary as the last line of stdout.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bundle="${repo_root}/node_modules/node-llama-cpp/llama/gitRelease.bundle"
cache_root="${GENRM_CACHE_DIR:-${HOME}/.cache/genrm}"
jobs="${GENRM_BUILD_JOBS:-2}"
native="${GENRM_LLAMA_NATIVE:-ON}"

log() { printf '[build-llama-server] %s\n' "$*" >&2; }

if [[ ! -f "${bundle}" ]]; then
  log "llama.cpp source bundle not found at ${bundle}"
  log "run 'npm install' first (node-llama-cpp ships the bundle)"
  exit 1
fi
for tool in git cmake make c++; do
  if ! command -v "${tool}" >/dev/null 2>&1; then
    log "required tool '${tool}' is not installed (need git, cmake >= 3.14, make, a C++17 compiler)"
    exit 1
  fi
done

# The bundle has exactly one head; its commit names the cache directory, so a node-llama-cpp upgrade
# (a new bundle) builds a new server next to the old one instead of reusing a stale binary.
commit="$(git bundle list-heads "${bundle}" | awk 'NR==1 {print $1}')"
if [[ -z "${commit}" ]]; then
  log "could not read the commit of ${bundle}"
  exit 1
fi
dest_dir="${cache_root}/llama-server/${commit}"
binary="${dest_dir}/llama-server"

if [[ -x "${binary}" ]] && "${binary}" --version >/dev/null 2>&1; then
  log "cached: ${binary}"
  echo "${binary}"
  exit 0
fi

mkdir -p "${dest_dir}"
# One build at a time per cache directory: parallel test runners or CI steps may call this together.
exec 9>"${dest_dir}/.lock"
if command -v flock >/dev/null 2>&1; then
  log "waiting for the build lock ${dest_dir}/.lock"
  flock 9
  # Another process may have finished the build while we waited.
  if [[ -x "${binary}" ]] && "${binary}" --version >/dev/null 2>&1; then
    log "cached: ${binary}"
    echo "${binary}"
    exit 0
  fi
fi

src_dir="${dest_dir}/src"
build_dir="${dest_dir}/build"
start_s=$(date +%s)

if [[ ! -d "${src_dir}/.git" ]]; then
  log "cloning ${bundle} (commit ${commit:0:12}) into ${src_dir}"
  rm -rf "${src_dir}"
  git -c advice.detachedHead=false clone --quiet "${bundle}" "${src_dir}"
fi
git -C "${src_dir}" -c advice.detachedHead=false checkout --quiet "${commit}"

log "configuring (CPU only, Release, static, native=${native})"
# Everything that could reach the network is off: no OpenSSL/HTTPS, no prebuilt web UI download,
# no npm UI build. Tests, examples and the unified app are off; tools stay on because the server
# lives under tools/.
nice -n 10 cmake -S "${src_dir}" -B "${build_dir}" \
  -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=OFF \
  -DGGML_NATIVE="${native}" \
  -DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_VULKAN=OFF -DGGML_RPC=OFF \
  -DLLAMA_OPENSSL=OFF \
  -DLLAMA_BUILD_UI=OFF \
  -DLLAMA_USE_PREBUILT_UI=OFF \
  -DLLAMA_BUILD_TESTS=OFF \
  -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_BUILD_APP=OFF \
  -DLLAMA_BUILD_TOOLS=ON \
  -DLLAMA_BUILD_SERVER=ON \
  >"${dest_dir}/configure.log" 2>&1 || {
  log "cmake configure failed; last lines of ${dest_dir}/configure.log:"
  tail -n 40 "${dest_dir}/configure.log" >&2
  exit 1
}

log "building target llama-server with ${jobs} jobs (about 10-20 minutes on 2 cores); log: ${dest_dir}/build.log"
# Progress lines ("[ 42%] Building ...") go to the terminal so CI shows the build is alive.
set +e
nice -n 10 cmake --build "${build_dir}" --target llama-server -j "${jobs}" 2>&1 |
  tee "${dest_dir}/build.log" | grep --line-buffered -E '^\[ *[0-9]+%\]' >&2
status=${PIPESTATUS[0]}
set -e
if [[ ${status} -ne 0 ]]; then
  log "build failed (exit ${status}); last lines of ${dest_dir}/build.log:"
  tail -n 40 "${dest_dir}/build.log" >&2
  exit 1
fi

built="${build_dir}/bin/llama-server"
if [[ ! -x "${built}" ]]; then
  log "build finished but ${built} is missing"
  exit 1
fi
# Install atomically so a concurrent reader never sees a half-copied binary.
cp "${built}" "${binary}.tmp"
mv -f "${binary}.tmp" "${binary}"

if ! "${binary}" --version >/dev/null 2>&1; then
  log "built binary does not run: ${binary} --version failed"
  "${binary}" --version >&2 || true
  exit 1
fi

end_s=$(date +%s)
log "built in $((end_s - start_s)) s: ${binary}"
"${binary}" --version 2>&1 | sed 's/^/[build-llama-server]   /' >&2 || true

if [[ "${GENRM_KEEP_BUILD:-0}" != "1" ]]; then
  # The source and object files are several hundred MB; the binary is all the tests need.
  rm -rf "${src_dir}" "${build_dir}"
fi
echo "${binary}"
