#!/usr/bin/env bash
# One entry point for building, running and testing the vgw nginx module.
#   ./build.sh            build build/ngx_http_vgw_module.so
#   ./build.sh run        build and start nginx + local mock vendors
#   ./build.sh test       build, then run unit, fuzz-smoke, integration and SDK tests
#   ./build.sh fuzz [s]   run every libFuzzer harness for s seconds (default 60)
#   ./build.sh fuzz-long  every harness to 10M executions or 1 h (not in CI)
#   ./build.sh test-sanitized  integration tests on an ASan+UBSan module build
#   ./build.sh bench      module vs plain proxy_pass (wrk), results in build/bench
#   ./build.sh install [dir]  build, then install the module into dir
#                         (default /usr/lib/nginx/modules) without disturbing
#                         a running nginx
# NGINX_SRC=/path/to/nginx-x.y.z builds against another nginx source tree
# (default: Debian's nginx-dev headers in /usr/share/nginx/src).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD="$ROOT/build"
NGINX_SRC="${NGINX_SRC:-/usr/share/nginx/src}"
JOBS="${JOBS:-$(nproc)}"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Instructions per request of the core alone, which noise does not change:
# callgrind over N requests, the difference between 1100 and 100 divided by
# 1000 (the first requests warm caches up). valgrind hides SHA-NI, so the
# id seal and JWT count for more here than on a real CPU.
core_instructions() {
  local what n counts
  for what in create retrieve; do
    counts=()
    for n in 1100 100; do
      counts+=("$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        --collect-atstart=no --toggle-collect='*run_requests*' \
        "$BUILD/prof/core_bench" --repeat=$n "$what" 2>&1 |
        sed -n 's/.*refs: *//p' | tr -d ,)")
    done
    echo "core instructions per $what: $(((counts[0] - counts[1]) / 1000))"
  done
}

need_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

install_build_deps() {
  need_packages nginx nginx-dev libyaml-cpp-dev nlohmann-json3-dev libssl-dev \
    libpcre3-dev zlib1g-dev g++ make cmake pkg-config
}

install_test_deps() {
  install_build_deps
  need_packages libgtest-dev curl ca-certificates wrk redis-server
  # Node may come from Debian or from NodeSource (which bundles npm and
  # conflicts with Debian's npm package): only install what is missing.
  command -v node >/dev/null || need_packages nodejs
  command -v npm >/dev/null || need_packages npm
  if [[ ! -d "$ROOT/t/node_modules/openai-7.59" || "$ROOT/t/package-lock.json" -nt "$ROOT/t/node_modules" ]]; then
    log "installing pinned npm packages (t/package-lock.json)"
    (cd "$ROOT/t" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# nginx's configure writes into the tree it runs from, so it runs in a copy.
# configure_tree DIR CC_OPT LD_OPT: DIR/nginx-src configured with Debian's
# flags (or a minimal set for another NGINX_SRC) and this module, objects in
# DIR/objs; again only when the file list or the flags change (~5 s).
configure_tree() {
  local dir="$1" cc_opt="$2" ld_opt="$3"
  local src="$dir/nginx-src" conf_flags=()
  if [[ "$NGINX_SRC" == /usr/share/nginx/src ]]; then
    # shellcheck disable=SC1091
    source /usr/share/nginx/src/conf_flags
    conf_flags=("${NGX_CONF_FLAGS[@]}")
  else
    conf_flags=(--with-compat --with-http_ssl_module)
  fi
  mkdir -p "$dir"
  local manifest
  manifest="$(cd "$ROOT" && { cat config config.make; find src -name '*.cpp' | LC_ALL=C sort; echo "$NGINX_SRC $cc_opt $ld_opt"; })"
  if [[ ! -f "$dir/objs/Makefile" || "$(cat "$dir/.manifest" 2>/dev/null)" != "$manifest" ]]; then
    log "configuring against $NGINX_SRC in $dir"
    rm -rf "$src" "$dir/objs"
    cp -a "$NGINX_SRC" "$src"
    (cd "$src" && ./configure "${conf_flags[@]}" --with-cc-opt="$cc_opt" --with-ld-opt="$ld_opt" \
      --add-dynamic-module="$ROOT" --builddir="$dir/objs" >"$dir/configure.log" 2>&1) \
      || { tail -30 "$dir/configure.log"; exit 1; }
    printf '%s' "$manifest" >"$dir/.manifest"
  fi
}

build_module() {
  install_build_deps
  configure_tree "$BUILD" "-g -O2 -fPIC -fstack-protector-strong -D_FORTIFY_SOURCE=2" \
    "-Wl,-z,relro -Wl,-z,now -fPIC"
  log "building ngx_http_vgw_module.so"
  make -s -j"$JOBS" -C "$BUILD/nginx-src" -f "$BUILD/objs/Makefile" modules
  install_module "$BUILD/objs/ngx_http_vgw_module.so" "$BUILD/ngx_http_vgw_module.so"
}

# A running nginx has the installed module mapped: writing over that file
# (cp truncates it in place) crashes every worker on its next request. A new
# file renamed over the old name leaves the mapped one intact.
install_module() {
  local from="$1" to="$2"
  mkdir -p "$(dirname "$to")"
  cp "$from" "$to.new.$$"
  chmod 644 "$to.new.$$"
  mv -f "$to.new.$$" "$to"
}

build_unit_tests() {
  log "building core unit tests (ASan + UBSan)"
  cmake -S "$ROOT/t" -B "$BUILD/unit" -DCMAKE_BUILD_TYPE=Debug -DVGW_SANITIZE=ON >/dev/null
  cmake --build "$BUILD/unit" -j"$JOBS" -- -s
}

# libFuzzer harnesses over the pure core, each starting from its seed corpus
# in t/fuzz/corpus/<name>; new inputs go to build/fuzz/corpus, not the repo.
# run_fuzzers SECONDS [RUNS]: each harness for SECONDS, or until RUNS
# executions when that comes first.
run_fuzzers() {
  local seconds="$1" runs="${2:--1}"
  command -v clang++ >/dev/null || need_packages clang
  log "building fuzzers (clang, libFuzzer + ASan + UBSan)"
  CXX=clang++ cmake -S "$ROOT/t" -B "$BUILD/fuzz" -DCMAKE_BUILD_TYPE=Debug \
    -DVGW_SANITIZE=ON -DVGW_FUZZ=ON >/dev/null
  cmake --build "$BUILD/fuzz" -j"$JOBS" -- -s
  local fuzzer name
  for fuzzer in "$BUILD"/fuzz/*_fuzzer; do
    name="$(basename "$fuzzer" _fuzzer)"
    log "fuzzing $name for ${seconds}s"
    mkdir -p "$BUILD/fuzz/corpus/$name"
    "$fuzzer" -max_total_time="$seconds" -runs="$runs" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$BUILD/fuzz/$name-" \
      -print_final_stats=0 "$BUILD/fuzz/corpus/$name" "$ROOT/t/fuzz/corpus/$name" \
      2> "$BUILD/fuzz/$name.log" || { tail -40 "$BUILD/fuzz/$name.log"; exit 1; }
    grep -E '^#[0-9]+.*DONE' "$BUILD/fuzz/$name.log" | tail -1 >&2 || true
  done
}

# The module built with ASan and UBSan, and the integration tests run on it
# (nginx with the sanitizer runtime preloaded; reports in build/asan/logs).
# Memory and benchmark tests are left out: the sanitizers change both.
run_sanitized_integration() {
  install_test_deps
  local dir="$BUILD/asan"
  configure_tree "$dir" "-g -O1 -fPIC -fsanitize=address,undefined -fno-omit-frame-pointer" \
    "-fPIC -fsanitize=address,undefined"
  log "building the module with ASan and UBSan"
  make -s -j"$JOBS" -C "$dir/nginx-src" -f "$dir/objs/Makefile" modules
  mkdir -p "$dir/logs" && rm -f "$dir/logs/"*
  # libstdc++ is preloaded too: the sanitizer must see __cxa_throw before
  # nginx (a C program) loads the module.
  {
    echo '#!/bin/sh'
    echo "export LD_PRELOAD=$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libstdc++.so)"
    echo "export ASAN_OPTIONS=detect_leaks=0:log_path=$dir/logs/asan"
    echo "export UBSAN_OPTIONS=print_stacktrace=1:log_path=$dir/logs/ubsan"
    echo 'exec /usr/sbin/nginx "$@"'
  } >"$dir/nginx"
  chmod +x "$dir/nginx"
  local files
  files=$(cd "$ROOT/t" && ls integration/*.test.mjs | grep -v -E 'memory|bench_smoke|install')
  (cd "$ROOT/t" && VGW_RUNTIME_ROOT="${TMPDIR:-/tmp}/vgw-runtime-asan-$(id -u)" \
    NGINX_BINARY="$dir/nginx" VGW_MODULE="$dir/objs/ngx_http_vgw_module.so" \
    node --test --test-concurrency=1 --test-timeout=300000 --test-force-exit \
      --test-reporter=spec $files)
  if ls "$dir/logs/"* >/dev/null 2>&1; then
    log "sanitizer reports:"
    cat "$dir/logs/"*
    exit 1
  fi
  log "no sanitizer reports"
}

# Sources must match .clang-format (nginx-style C tables are fenced off).
check_format() {
  command -v clang-format >/dev/null || need_packages clang-format
  log "checking formatting"
  find "$ROOT/src" "$ROOT/t/unit" "$ROOT/t/fuzz" "$ROOT/t/bench" "$ROOT/t/support" -name '*.cpp' -o -name '*.hpp' |
    xargs clang-format --dry-run --Werror
}

cmd="${1:-build}"
case "$cmd" in
  build)
    build_module
    ;;
  run)
    install_test_deps
    build_module
    exec node "$ROOT/t/lib/run-gateway.mjs"
    ;;
  test)
    install_test_deps
    check_format
    build_module
    build_unit_tests
    log "unit tests"
    (cd "$BUILD/unit" && ctest --output-on-failure -j"$JOBS")
    run_fuzzers "${FUZZ_SECONDS:-10}"
    log "integration and SDK tests against nginx $(nginx -v 2>&1 | sed 's/.*\///')"
    export VGW_RUNTIME_ROOT="${TMPDIR:-/tmp}/vgw-runtime-$(id -u)"
    rm -rf "$VGW_RUNTIME_ROOT" "$ROOT/t/.runtime"
    cd "$ROOT/t"
    # A test that hangs fails after its timeout; handles a failed test left
    # open do not keep the runner from printing its summary and exiting.
    exec node --test --test-concurrency=1 --test-timeout=180000 \
      --test-force-exit --test-reporter=spec integration/
    ;;
  bench)
    install_test_deps
    need_packages wrk curl libbenchmark-dev valgrind
    build_module
    node "$ROOT/t/bench/bench.mjs" "${@:2}"
    if [[ "${2:-}" != "--smoke" ]]; then
      log "core per-request cost (Google Benchmark, optimised build)"
      cmake -S "$ROOT/t" -B "$BUILD/prof" -DCMAKE_BUILD_TYPE=Release -DVGW_SANITIZE=OFF \
        -DVGW_BENCH=ON >/dev/null
      cmake --build "$BUILD/prof" -j"$JOBS" -- -s
      # Nine repetitions: their median and the fastest (noise only adds).
      "$BUILD/prof/core_bench" --benchmark_min_time=0.3 --benchmark_repetitions=9 \
        --benchmark_report_aggregates_only=true 2>/dev/null |
        grep -E '^(Benchmark|-)|_(median|min) ' | tee -a "$BUILD/bench/results.md"
      core_instructions | tee -a "$BUILD/bench/results.md"
    fi
    ;;
  fuzz)
    install_test_deps
    run_fuzzers "${2:-60}"
    ;;
  test-sanitized)
    build_module
    run_sanitized_integration
    ;;
  fuzz-long)
    # The release bar: every harness to 10 million executions or an hour.
    install_test_deps
    run_fuzzers 3600 10000000
    ;;
  install)
    build_module
    install_module "$BUILD/ngx_http_vgw_module.so" \
      "${2:-/usr/lib/nginx/modules}/ngx_http_vgw_module.so"
    log "installed ${2:-/usr/lib/nginx/modules}/ngx_http_vgw_module.so"
    ;;
  *)
    echo "usage: $0 [build|run|test|bench [--smoke]|fuzz [seconds]|fuzz-long|test-sanitized|install [dir]]" >&2
    exit 2
    ;;
esac
