export {
  VaejsError,
  ShapeError,
  DTypeError,
  ConfigError,
  ValueError,
  DataError,
  CheckpointError,
  formatExpected,
  type VaejsErrorKind,
} from './errors';
export {
  assertTensor,
  assertRank,
  assertShape,
  assertSameShape,
  assertDtype,
  assertValueRange,
  assertPositiveInt,
  assertNumberInRange,
  assertOneOf,
  describeValue,
  formatShape,
} from './checks';
