# Sourced by the ci/ scripts: puts rustup's cargo first on the PATH when it is there.
if [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
# Maven prints download progress line by line in CI logs; keep the logs readable.
export MAVEN_ARGS="${MAVEN_ARGS:-} --no-transfer-progress"
