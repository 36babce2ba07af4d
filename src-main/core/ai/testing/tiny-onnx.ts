// A minimal ONNX model written byte by byte (the protobuf wire format of onnx.proto, fields by number), so tests
// can run a real model without shipping one: `C = A + B` on float tensors of one shape.

/** A protobuf varint. */
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** A varint field. */
const num = (field: number, value: number) => [...varint((field << 3) | 0), ...varint(value)];
/** A length-delimited field: bytes, a string or an embedded message. */
const bytes = (field: number, value: number[] | string) => {
  const body = typeof value === 'string' ? [...Buffer.from(value, 'utf8')] : value;
  return [...varint((field << 3) | 2), ...varint(body.length), ...body];
};

/** ValueInfoProto {name, type: TypeProto {tensor_type {elem_type: FLOAT, shape {dim {dim_value}}}}}. */
function floatTensor(name: string, dims: number[]): number[] {
  const shape = dims.flatMap((d) => bytes(1, num(1, d)));
  const tensor = [...num(1, 1), ...bytes(2, shape)];
  return [...bytes(1, name), ...bytes(2, bytes(1, tensor))];
}

/**
 * The bytes of an ONNX model (IR 7, opset 13) computing `output = a + b` for float32 tensors of shape `dims`.
 *
 * @example
 * fs.writeFileSync('add.onnx', addModel([3]));
 */
export function addModel(dims: number[], names = { a: 'a', b: 'b', output: 'sum' }): Buffer {
  const node = [...bytes(1, names.a), ...bytes(1, names.b), ...bytes(2, names.output), ...bytes(3, 'add'), ...bytes(4, 'Add')];
  const graph = [
    ...bytes(1, node),
    ...bytes(2, 'tiny-add'),
    ...bytes(11, floatTensor(names.a, dims)),
    ...bytes(11, floatTensor(names.b, dims)),
    ...bytes(12, floatTensor(names.output, dims)),
  ];
  const model = [...num(1, 7), ...bytes(2, 'cairn-tests'), ...bytes(7, graph), ...bytes(8, [...bytes(1, ''), ...num(2, 13)])];
  return Buffer.from(model);
}
