#!/bin/sh
# Regenerate src/core/onnx/proto/onnx_pb.ts from src/core/onnx/proto/onnx.proto with protoc-gen-es
# (@bufbuild/protobuf v2 runtime: plain objects + a schema, no eval, so it runs in workerd and browsers).
set -eu
cd "$(dirname "$0")/.."
node_modules/.bin/buf generate --template src/core/onnx/buf.gen.yaml
echo "generated src/core/onnx/proto/onnx_pb.ts"
