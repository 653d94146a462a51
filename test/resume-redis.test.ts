// Resume (docs/operations.md "Interrupted runs") on Redis Streams: interrupted runs resumed (test/helpers/resume-suite.ts).
import { describeResume } from "./helpers/resume-suite.ts";

describeResume("redis");
