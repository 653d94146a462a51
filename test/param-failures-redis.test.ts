// Failures per parameter (docs/own-algorithm.md) on redis: a parameter that throws, one that never returns and one that kills its process.
import { paramFailureSuite } from "./helpers/param-failure-suite.ts";

paramFailureSuite("redis");
