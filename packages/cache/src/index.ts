export {
  isKeySerializationError,
  isMissingLoaderError,
  isUndefinedValueError,
  KeySerializationError,
  MissingLoaderError,
  UndefinedValueError,
} from './errors.js';
export type { Memoized, MemoizeOptions } from './memoize.js';
export { memoize } from './memoize.js';
export type {
  EvictReason,
  Loader,
  LoaderContext,
  LoadOptions,
  SetOptions,
  SkillCacheOptions,
} from './options.js';
export { SkillCache } from './skill-cache.js';
export { stableKey } from './stable-key.js';
export type { CacheStats } from './stats.js';
