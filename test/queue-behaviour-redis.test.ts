// SPEC §3 on Redis Streams: the behaviours every backend shares (test/helpers/queue-behaviour-suite.ts).
import { describeQueueBehaviour } from "./helpers/queue-behaviour-suite.ts";

describeQueueBehaviour("redis");
