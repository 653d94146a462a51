// BullMQ, a devDependency of the bench only, loaded by a computed name so the project builds and
// type-checks without it; only the few members the bench uses are typed here.
export type BullmqConnection = { host: string; port: number; maxRetriesPerRequest?: null };
type QueueOptions = { connection: BullmqConnection; prefix: string };
type BullmqQueue = {
  addBulk(jobs: { name: string; data: unknown; opts?: Record<string, unknown> }[]): Promise<unknown>;
  obliterate(options: { force: boolean }): Promise<void>;
  close(): Promise<void>;
};
type BullmqWorker = { on(event: "completed", listener: () => void): void; close(): Promise<void> };
export type Bullmq = {
  Queue: new (name: string, options: QueueOptions) => BullmqQueue;
  Worker: new (name: string, process: () => Promise<unknown>, options: QueueOptions & { concurrency: number }) => BullmqWorker;
};

const NAME = "bullmq";

export async function loadBullmq(): Promise<Bullmq> {
  return (await import(NAME)) as Bullmq;
}
