export { type Clock, SystemClock, systemClock, type Timer } from "./clock.js";
export { closestName, levenshtein } from "./closest-name.js";
export {
  isNinesError,
  NinesError,
  type NinesErrorOptions,
  OPTION_INVALID,
  OptionError,
  requireKnownOptions,
  requireOption,
} from "./errors.js";
export { Events, type Listener, type Unsubscribe } from "./events.js";
export { ManualClock } from "./manual-clock.js";
export type { OnProgress, Progress } from "./progress.js";
export { type Random, SeededRandom, systemRandom, uniform } from "./random.js";
