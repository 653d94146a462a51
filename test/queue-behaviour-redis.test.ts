// The delivery guarantees (docs/how-it-works.md) on Redis Streams: the behaviours every backend shares (test/helpers/queue-behaviour-suite.ts).
import { describeQueueBehaviour } from "./helpers/queue-behaviour-suite.ts";

describeQueueBehaviour("redis");
