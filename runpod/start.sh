#!/usr/bin/env bash
# Container start command on a RunPod pod: make sure the PartField model is installed, find out
# whether the GPU is usable, and run the daemon on 0.0.0.0:7860 behind a bearer token. Run with
# --help for the settings.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source-path=SCRIPTDIR source=cuda-advice.sh
source "$(dirname "${BASH_SOURCE[0]}")/cuda-advice.sh"
LOG_TAG='partfield start'

usage() {
  cat <<'EOF'
Usage: start.sh [--dry-run]

Runs install.sh when the model is not installed or does not load, checks the GPU, prints the
address and the token, then replaces itself with the daemon.

  --dry-run   check the settings, the model and the GPU, and print what a start would do and
              the summary, but change nothing: no install, no token file, no sshd, no daemon

Environment (defaults in brackets):
  PARTFIELD_ROOT           persistent folder [/workspace]
  PARTFIELD_APP_DIR        where the app is installed [the folder above this script]
  PARTFIELD_MODEL          ONNX model the daemon loads [$PARTFIELD_ROOT/models/partfield.onnx]
  PARTFIELD_TOKEN          bearer token clients must send
                           [generated once, kept in $PARTFIELD_DATA_DIR/token]
  PARTFIELD_DATA_DIR       jobs, results and the token [$PARTFIELD_ROOT/partfield/data]
  GRADIO_SERVER_NAME       address to bind, also read as PARTFIELD_HOST [0.0.0.0]
  GRADIO_SERVER_PORT       port to bind, 1 to 65535, also read as PARTFIELD_PORT [7860]
  PARTFIELD_DEVICE         auto, cuda or cpu; cuda refuses to start without a working GPU, cpu
                           hides the GPU from the daemon [auto]
  PARTFIELD_NVIDIA_SMI     program that reports the GPU [nvidia-smi]
  PARTFIELD_AUTO_INSTALL=0 do not run install.sh when the model is missing or does not load
  PARTFIELD_REQUIRE_MODEL=1  exit instead of starting with the geometric backend when the
                           PartField model is unavailable
  PARTFIELD_MIN_MODEL_BYTES  smallest file accepted as a model, in bytes [1048576]
  PARTFIELD_JOB_TTL_HOURS  hours a finished job's files are kept, above 0 and at most 8760 [24]
  PUBLIC_KEY               SSH public key; when set and sshd is installed, sshd is started

install.sh reads its own settings from the same environment: run install.sh --help for them.
EOF
}

main() {
  local dry_run=0
  while [ $# -gt 0 ]; do
    case $1 in
      --dry-run) dry_run=1 ;;
      -h | --help) usage; exit 0 ;;
      *) fail "unknown argument: $1" "run start.sh --help for the accepted arguments" ;;
    esac
    shift
  done

  resolve_paths
  resolve_install_version
  # The daemon reads PARTFIELD_HOST before GRADIO_SERVER_NAME, and likewise for the port.
  HOST=${PARTFIELD_HOST:-${GRADIO_SERVER_NAME:-0.0.0.0}}
  PORT=${PARTFIELD_PORT:-${GRADIO_SERVER_PORT:-7860}}
  DATA_DIR=${PARTFIELD_DATA_DIR:-$STATE_DIR/data}
  # Checked first, so that a typo fails in one line before a long install.
  validate_settings

  # Checked next, so that an incomplete image fails before a long install.
  local -a daemon=("$APP_DIR/node_modules/.bin/tsx" "$APP_DIR/daemon/src/server/main.ts")
  [ -f "${daemon[1]}" ] ||
    fail "the daemon entry point ${daemon[1]} is missing" "the image is incomplete: rebuild it with runpod/Dockerfile"
  [ -x "${daemon[0]}" ] ||
    fail "${daemon[0]} is missing" "the image is incomplete: rebuild it with runpod/Dockerfile (npm ci must have run)"

  if [ "$dry_run" -eq 1 ]; then
    log "dry run: checking and printing only; nothing is installed, written or started"
    [ -d "$DATA_DIR" ] || log "dry run: would create $DATA_DIR"
    [ -z "${PUBLIC_KEY:-}" ] || log "dry run: would start sshd for the key in PUBLIC_KEY"
  else
    mkdir -p "$STATE_DIR" "$DATA_DIR" ||
      fail "cannot create $STATE_DIR" "check that $ROOT exists and is writable (on RunPod it is the volume; attach one)"
    start_sshd
  fi
  ensure_installed "$dry_run"
  detect_device
  load_token "$dry_run"
  print_summary

  if [ "$dry_run" -eq 1 ]; then
    log "dry run: would start ${daemon[*]}"
    exit 0
  fi

  export_daemon_settings
  cd "$APP_DIR"
  exec "${daemon[@]}"
}

# Fails in one line, naming the variable, when a setting has a value the daemon would reject.
validate_settings() {
  local port_name=GRADIO_SERVER_PORT ttl=${PARTFIELD_JOB_TTL_HOURS:-24} name
  [ -z "${PARTFIELD_PORT:-}" ] || port_name=PARTFIELD_PORT
  if ! [[ $PORT =~ ^[0-9]{1,5}$ ]] || [ "$((10#$PORT))" -lt 1 ] || [ "$((10#$PORT))" -gt 65535 ]; then
    fail "$port_name=$PORT is not a TCP port; set it to a whole number from 1 to 65535 (7860 on RunPod)"
  fi
  if [ -z "$HOST" ] || [[ $HOST =~ [[:space:]] ]]; then
    fail "GRADIO_SERVER_NAME (or PARTFIELD_HOST) '$HOST' is not an address; set it to 0.0.0.0 to accept connections from RunPod's proxy"
  fi

  case ${PARTFIELD_DEVICE:-auto} in
    auto | cuda | cpu) ;;
    *) fail "PARTFIELD_DEVICE=$PARTFIELD_DEVICE is not one of auto, cuda, cpu; set it to auto, cuda or cpu" ;;
  esac
  if ! [[ $ttl =~ ^[0-9]+([.][0-9]+)?$ ]] || ! awk -v h="$ttl" 'BEGIN { exit !(h > 0 && h <= 8760) }'; then
    fail "PARTFIELD_JOB_TTL_HOURS=$ttl is not a number of hours above 0 and at most 8760 (a year); set it to, for example, 24"
  fi
  for name in PARTFIELD_AUTO_INSTALL PARTFIELD_REQUIRE_MODEL; do
    case ${!name:-} in
      '' | 0 | 1) ;;
      *) fail "$name=${!name} is not 0 or 1; set it to 1 to turn it on, or 0 or unset to turn it off" ;;
    esac
  done
  if [ -n "${PARTFIELD_MIN_MODEL_BYTES:-}" ] && ! [[ $PARTFIELD_MIN_MODEL_BYTES =~ ^[0-9]+$ ]]; then
    fail "PARTFIELD_MIN_MODEL_BYTES=$PARTFIELD_MIN_MODEL_BYTES is not a whole number of bytes; unset it to use 1048576"
  fi
}

# Starts sshd with the key RunPod passes in PUBLIC_KEY, for shell access to a pod's files and logs.
start_sshd() {
  [ -n "${PUBLIC_KEY:-}" ] || return 0
  if ! command -v sshd >/dev/null 2>&1 && [ ! -x /usr/sbin/sshd ]; then
    warn "PUBLIC_KEY is set but sshd is not installed; SSH into this pod is unavailable"
    return 0
  fi

  mkdir -p "$HOME/.ssh" /run/sshd
  chmod 700 "$HOME/.ssh"
  touch "$HOME/.ssh/authorized_keys"
  grep -qxF "$PUBLIC_KEY" "$HOME/.ssh/authorized_keys" || printf '%s\n' "$PUBLIC_KEY" >>"$HOME/.ssh/authorized_keys"
  chmod 600 "$HOME/.ssh/authorized_keys"
  ssh-keygen -A >/dev/null
  if /usr/sbin/sshd; then
    log "sshd started for the key in PUBLIC_KEY"
  else
    warn "sshd failed to start; SSH into this pod is unavailable"
  fi
}

# Sets MODEL_READY to 1 when the PartField model is installed and loads, running install.sh if
# needed, and to 0 otherwise. A dry run (first argument 1) runs nothing and sets it to `pending`
# when install.sh would run.
ensure_installed() {
  local dry_run=$1
  MODEL_READY=0
  if install_is_current; then
    log "PartField model: $INSTALL_STATE"
    MODEL_READY=1
    return 0
  fi

  local reason=$INSTALL_STATE ran_install=0
  if [ "${PARTFIELD_AUTO_INSTALL:-1}" = 0 ]; then
    reason="$reason, and PARTFIELD_AUTO_INSTALL=0"
  elif [ "$dry_run" -eq 1 ]; then
    log "dry run: would run install.sh, because the PartField model: $reason"
    MODEL_READY=pending
    return 0
  else
    log "PartField model: $reason; running install.sh"
    if bash "$APP_DIR/runpod/install.sh"; then
      MODEL_READY=1
      return 0
    fi
    reason="install.sh failed (its messages are above)"
    ran_install=1
  fi

  if [ "${PARTFIELD_REQUIRE_MODEL:-0}" = 1 ]; then
    fail "the PartField model is unavailable: $reason" \
      "fix the cause and restart the pod, or unset PARTFIELD_REQUIRE_MODEL to start with the geometric backend"
  fi
  warn_model_unavailable "$reason" "$ran_install"
}

# Prints the framed warning for a start without a ready model, and sets MODEL_PROBLEM when the
# file on disk does not load (then the daemon runs the geometric backend).
warn_model_unavailable() {
  local reason=$1 ran_install=$2 consequence fix
  MODEL_PROBLEM=
  consequence=(
    "The daemon starts anyway, with the weight-free geometric backend: requests with"
    "backend=auto get geometric features (each result says so), and backend=partfield is rejected."
  )
  if [ -s "$MODEL_PATH" ] && model_is_usable "$MODEL_PATH"; then
    consequence=(
      "The daemon starts anyway, with the model an earlier install left at"
      "$MODEL_PATH, which may not match this version of the app."
    )
  elif [ -e "$MODEL_PATH" ]; then
    MODEL_PROBLEM=${MODEL_PROBLEM:-it is empty}
  fi

  if [ "$ran_install" -eq 1 ]; then
    fix="To fix: read install.sh's messages above, then run 'bash $APP_DIR/runpod/install.sh'"
  else
    fix="To fix: run 'bash $APP_DIR/runpod/install.sh', or unset PARTFIELD_AUTO_INSTALL,"
  fi
  banner_warning \
    "The PartField model is not installed: $reason." \
    "${consequence[@]}" \
    "$fix" \
    "in the pod and restart it. README_RUNPOD.md, section Troubleshooting, lists the usual causes."
}

# Sets DEVICE to cuda when nvidia-smi reports a GPU and onnxruntime's CUDA provider runs on it.
# Otherwise sets it to cpu and prints a warning with the reason and the fix for that reason.
detect_device() {
  local requested=${PARTFIELD_DEVICE:-auto} smi=${PARTFIELD_NVIDIA_SMI:-nvidia-smi} reason probe
  DEVICE=cpu
  GPU_SUMMARY=none
  CUDA_ADVICE=()

  if [ "$requested" = cpu ]; then
    log "device: cpu, as PARTFIELD_DEVICE=cpu asks"
    return 0
  fi

  if ! command -v "$smi" >/dev/null 2>&1; then
    reason="nvidia-smi was not found, so this container has no NVIDIA GPU attached"
    CUDA_ADVICE=("Deploy on a GPU pod (README_RUNPOD.md, GPU choices).")
  elif ! GPU_SUMMARY=$("$smi" --query-gpu=name,memory.total,memory.used,driver_version --format=csv,noheader 2>&1); then
    reason="nvidia-smi failed: $(printf '%s' "$GPU_SUMMARY" | strip_ansi | head -n 3 | tr '\n' ' ')"
    GPU_SUMMARY=none
    CUDA_ADVICE=(
      "The host's driver is broken or too old for CUDA 12.4. Deploy again with RunPod's CUDA"
      "version filter set to 12.4 or later (README_RUNPOD.md, GPU choices)."
    )
  else
    log "GPU (name, memory total, memory used, driver): $(printf '%s' "$GPU_SUMMARY" | tr '\n' ';')"
    if probe=$(timeout 120 "$APP_DIR/node_modules/.bin/tsx" "$APP_DIR/runpod/probe-cuda.ts" 2>&1); then
      DEVICE=cuda
      log "device: cuda (onnxruntime's CUDA execution provider ran a test model)"
      return 0
    fi
    # onnxruntime's log lines start with a time stamp and the source location that raised the
    # error, which only bury the message.
    probe=$(printf '%s' "$probe" | strip_ansi |
      sed -e 's/^[0-9]\{4\}-[0-9-]* [0-9:.]* \[[^]]*\] //' -e 's/[^ ]*onnxruntime_src.*\[ONNXRuntimeError\] : [0-9]* : [A-Z_]* : //')
    reason="onnxruntime's CUDA execution provider did not start: $(printf '%s' "$probe" | tail -n 3 | tr '\n' ' ')"
    cuda_failure_advice "$probe"
  fi

  if [ "$requested" = cuda ]; then
    fail "PARTFIELD_DEVICE=cuda but the GPU is unusable: $reason" \
      "${CUDA_ADVICE[*]} Or set PARTFIELD_DEVICE=auto to run on the CPU."
  fi
  banner_warning \
    "NO GPU: running on the CPU." \
    "Why: $reason" \
    "PartField features take minutes per mesh on a CPU instead of seconds." \
    "To fix: ${CUDA_ADVICE[0]}" \
    "${CUDA_ADVICE[@]:1}" \
    "Set PARTFIELD_DEVICE=cpu to run on the CPU without this warning."
}

# Sets TOKEN from PARTFIELD_TOKEN, or from the token file, creating it on first start. The file
# is the one the daemon itself would use in its data folder, so `npm start` run by hand with the
# same PARTFIELD_DATA_DIR accepts the same token. A dry run (first argument 1) creates no file.
load_token() {
  local dry_run=$1 token_file=$DATA_DIR/token
  if [ -n "${PARTFIELD_TOKEN:-}" ]; then
    TOKEN=$PARTFIELD_TOKEN
    TOKEN_NOTE="from PARTFIELD_TOKEN"
    if [ "${#TOKEN}" -lt 16 ]; then
      warn "PARTFIELD_TOKEN has only ${#TOKEN} characters; anyone who guesses it can use this pod, so use 16 or more"
    fi
    return 0
  fi

  if [ ! -s "$token_file" ]; then
    if [ "$dry_run" -eq 1 ]; then
      TOKEN="(none yet)"
      TOKEN_NOTE="a real start generates one and keeps it in $token_file"
      return 0
    fi
    (umask 077 && head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$token_file.partial")
    mv -f "$token_file.partial" "$token_file"
    log "generated a new token in $token_file"
  fi
  TOKEN=$(head -n 1 "$token_file")
  TOKEN_NOTE="from $token_file"
}

# Prints the URL on the pod itself: loopback for a wildcard or loopback bind.
local_url() {
  case $HOST in
    0.0.0.0 | 127.* | localhost) printf 'http://127.0.0.1:%s' "$PORT" ;;
    :: | ::1) printf 'http://[::1]:%s' "$PORT" ;;
    *:*) printf 'http://[%s]:%s' "$HOST" "$PORT" ;;
    *) printf 'http://%s:%s' "$HOST" "$PORT" ;;
  esac
}

print_summary() {
  local url local_address backend check
  if [ -n "${RUNPOD_POD_ID:-}" ]; then
    url="https://${RUNPOD_POD_ID}-${PORT}.proxy.runpod.net"
  else
    url="https://<pod-id>-${PORT}.proxy.runpod.net"
  fi
  local_address=$(local_url)
  check=$url
  if [ "$MODEL_READY" = 1 ]; then
    backend="partfield (model $MODEL_PATH)"
  elif [ "$MODEL_READY" = pending ]; then
    backend="partfield once install.sh has run (model $MODEL_PATH)"
  elif [ -n "${MODEL_PROBLEM:-}" ]; then
    backend="geometric only: the model at $MODEL_PATH does not load ($MODEL_PROBLEM)"
  elif [ -s "$MODEL_PATH" ]; then
    backend="partfield, from an incomplete or older install (model $MODEL_PATH)"
  else
    backend="geometric only (PartField model not installed)"
  fi

  cat <<EOF

==============================================================================
 partfield-bridge $(app_version) on $HOST:$PORT
------------------------------------------------------------------------------
 URL      $url
EOF
  if [ -z "${RUNPOD_POD_ID:-}" ]; then
    echo "          (RUNPOD_POD_ID is not set: put your pod's id in place of <pod-id>)"
  fi
  echo " Local    $local_address"
  if is_loopback_host; then
    echo "          (bound to $HOST: only the pod itself can connect, RunPod's proxy cannot;"
    echo "          set GRADIO_SERVER_NAME=0.0.0.0 to serve the URL above)"
    check=$local_address
  fi
  cat <<EOF
 Token    $TOKEN
          ($TOKEN_NOTE)
 Device   $DEVICE
 Backend  $backend
 Jobs     $DATA_DIR, deleted ${PARTFIELD_JOB_TTL_HOURS:-24} h after they finish

 Check it: curl $check/health
 Clients (web page, Blender add-on, watch folders) need the URL and the token.
==============================================================================

EOF
}

is_loopback_host() {
  case $HOST in
    127.* | localhost | ::1) return 0 ;;
    *) return 1 ;;
  esac
}

# Hands the settings to the daemon through its environment.
export_daemon_settings() {
  export PARTFIELD_HOST=$HOST GRADIO_SERVER_NAME=$HOST
  export PARTFIELD_PORT=$PORT GRADIO_SERVER_PORT=$PORT
  export PARTFIELD_TOKEN=$TOKEN
  export PARTFIELD_MODEL=$MODEL_PATH
  export PARTFIELD_DATA_DIR=$DATA_DIR
  export PARTFIELD_JOB_TTL_HOURS=${PARTFIELD_JOB_TTL_HOURS:-24}
  if [ "${PARTFIELD_DEVICE:-auto}" = cpu ]; then
    # The daemon uses CUDA whenever onnxruntime finds a device, so the GPU is hidden from it.
    export CUDA_VISIBLE_DEVICES=
  fi
}

main "$@"
