// Moves partitions between log dirs while they serve (AlterReplicaLogDirs): starts the owning worker's copy
// into the target dir, drives its copy steps, then switches over briefly: holds the partition's requests,
// waits for those in flight, has the worker copy the rest and close the copy, records the new placement
// (written first: the commit point), has the worker retire the old folder and rename the copy into place,
// reopens the partition from the new dir on a worker serving it, releases the held requests and deletes the
// old copy. Runs on the main thread; the files are the workers' (workers/partition-moves.ts).
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode, KafkaError } from '../shared/kafka-error-codes.js';
import { moveDir } from '../shared/partition-folder.js';
import { type FreeSpaceProbe, LOG_DIR_FULL_BELOW_BYTES, type LogDirState, partitionKey } from './log-dirs.js';
import type { PartitionRouter, Route } from './partition-router.js';

/** Bytes one copy step moves; the worker serves its other requests between steps. */
export const MOVE_COPY_STEP_BYTES = 4 * 1024 * 1024;

/**
 * Copy steps running at once, broker-wide: however many partitions move, the copying takes at most this many
 * workers' time at a moment (the other moves wait their turn between steps, and stay cancellable).
 */
export const MOVE_COPY_STEPS_AT_ONCE = 2;

/** Writes that a partition now lives in `logDir`, before anything acts on it (the metadata store). */
export type RecordPlacement = (topic: string, partition: number, logDir: string) => Promise<void>;

/**
 * Where a move is, for the test hook: started (its copy exists), copying (after each copy step), caught-up (before
 * the switch-over), committed (placement written, folders not yet switched), switched (open from the new dir).
 */
export type MoveStep = 'started' | 'copying' | 'caught-up' | 'committed' | 'switched';

/** Tests only: called after each step of every move, and awaited (a test pauses a move there, or ends the process). */
export type MoveStepHook = (step: MoveStep, topic: string, partition: number) => void | Promise<void>;

interface Move {
  route: Route;
  recordPlacement: RecordPlacement;
  target: LogDirState;
  moveId: string;
  cancelled: boolean;
  /** The new placement is written: the copy is the partition now and is never dropped. */
  committed: boolean;
  done: Promise<void>;
}

export class LogDirMover {
  private readonly moves = new Map<string, Move>();
  /** One move request at a time per partition (start, cancel and replace run in order). */
  private readonly serial = new Map<string, Promise<unknown>>();
  private stopping = false;
  /** Switch-overs started so far, and the one under way: a consistent view of the partitions waits for none to run. */
  private switchesStarted = 0;
  private readonly switching = new Set<Promise<void>>();
  private copyStepsRunning = 0;
  private readonly waitingToCopy: Array<() => void> = [];

  constructor(
    private readonly router: PartitionRouter,
    private readonly dirs: readonly LogDirState[],
    private readonly logger: Logger,
    private readonly freeBytesOf: FreeSpaceProbe,
    private readonly onStep: MoveStepHook = () => {},
  ) {}

  /**
   * Starts moving `topic`-`partition` into the log dir `path` and returns once its copy exists (the move goes on
   * in the background, as Kafka's does). Kafka's answers: LOG_DIR_NOT_FOUND for a dir not in log.dirs,
   * KAFKA_STORAGE_ERROR when the target or the partition's dir is offline, UNKNOWN_TOPIC_OR_PARTITION. Into the
   * dir it is in: nothing to do (a move elsewhere under way is cancelled); into the dir it is being moved to: the
   * move goes on; into a third: the move under way is cancelled and a new one starts.
   */
  move(topic: string, partition: number, path: string, recordPlacement: RecordPlacement): Promise<void> {
    const key = partitionKey(topic, partition);
    const previous = this.serial.get(key) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.startMove(key, topic, partition, path, recordPlacement));
    this.serial.set(key, next);
    void next
      .finally(() => {
        if (this.serial.get(key) === next) this.serial.delete(key);
      })
      .catch(() => {});
    return next;
  }

  /** Settles when the move of a partition under way (if any) has ended: switched over, cancelled or failed. */
  async whenMoveEnds(topic: string, partition: number): Promise<void> {
    const key = partitionKey(topic, partition);
    await this.serial.get(key)?.catch(() => {});
    await this.moves.get(key)?.done;
  }

  /** The dir a partition is being moved to, if a move is under way. */
  targetOf(topic: string, partition: number): string | undefined {
    return this.moves.get(partitionKey(topic, partition))?.target.path;
  }

  private async startMove(key: string, topic: string, partition: number, path: string, recordPlacement: RecordPlacement): Promise<void> {
    if (this.stopping) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, 'the broker is shutting down');
    const target = this.dirs.find((d) => d.path === path);
    if (target === undefined) throw new KafkaError(ErrorCode.LOG_DIR_NOT_FOUND, `${path} is not one of this broker's log dirs`);
    if (!target.online) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log dir ${path} is offline`);
    const route = this.router.route(topic, partition);
    const current = this.moves.get(key);
    if (current?.target === target) return;
    if (current !== undefined) await this.cancel(current);
    if (route.dir === target) return;
    if (!route.dir.online) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log dir ${route.dir.path} is offline`);
    const moveId = randomBytes(16).toString('hex');
    const room = this.roomIn(target);
    await this.router.call(route, (w) => w.control.startMove(route.slot, target.path, moveId, room));
    const move: Move = { route, recordPlacement, target, moveId, cancelled: false, committed: false, done: Promise.resolve() };
    this.moves.set(key, move);
    this.logger.info({ partition: `${topic}-${partition}`, from: route.dir.path, to: target.path }, 'moving partition to another log dir');
    move.done = this.run(key, move);
  }

  /** Bytes a copy may take in `dir` and leave it above the free space a dir needs to stay online (log-dirs.ts). */
  private roomIn(dir: LogDirState): number {
    let free: number;
    try {
      free = this.freeBytesOf(dir.path);
    } catch (error) {
      throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `the free space of log dir ${dir.path} cannot be read: ${(error as Error).message}`);
    }
    return free - LOG_DIR_FULL_BELOW_BYTES;
  }

  /** Ends a move under way (its copy is deleted) and waits until it has stopped. */
  async cancelMoveOf(topic: string, partition: number): Promise<void> {
    const move = this.moves.get(partitionKey(topic, partition));
    if (move !== undefined) await this.cancel(move);
  }

  private async cancel(move: Move): Promise<void> {
    move.cancelled = true;
    await move.done;
  }

  /** Copies in steps until the copy has caught up, then switches over; any failure drops the copy and is logged. */
  private async run(key: string, move: Move): Promise<void> {
    const { route } = move;
    const name = `${route.topic}-${route.partition}`;
    try {
      await this.onStep('started', route.topic, route.partition);
      for (;;) {
        if (move.cancelled || this.stopping) return await this.dropCopy(move);
        const progress = await this.copyStep(route);
        await this.onStep('copying', route.topic, route.partition);
        if (progress.caughtUp) break;
      }
      await this.onStep('caught-up', route.topic, route.partition);
      if (move.cancelled || this.stopping) return await this.dropCopy(move);
      await this.switchOver(move);
      this.logger.info({ partition: name, to: move.target.path }, 'partition moved to another log dir');
    } catch (error) {
      if (move.committed) return; // Logged by switchOver; the next start finishes the switch.
      this.logger.error({ partition: name, to: move.target.path, err: (error as Error).message }, 'moving partition to another log dir failed');
      await this.dropCopy(move).catch(() => {});
    } finally {
      if (this.moves.get(key) === move) this.moves.delete(key);
    }
  }

  /** One copy step, when fewer than MOVE_COPY_STEPS_AT_ONCE are running (in the order the moves asked). */
  private async copyStep(route: Route): Promise<{ caughtUp: boolean }> {
    // A finishing step hands its turn straight to the next waiting one, so no newcomer slips in between.
    if (this.copyStepsRunning < MOVE_COPY_STEPS_AT_ONCE) this.copyStepsRunning++;
    else await new Promise<void>((resolve) => this.waitingToCopy.push(resolve));
    try {
      return await this.router.call(route, (w) => w.control.copyMove(route.slot, MOVE_COPY_STEP_BYTES));
    } finally {
      const next = this.waitingToCopy.shift();
      if (next !== undefined) next();
      else this.copyStepsRunning--;
    }
  }

  /** The future copy is deleted (by its folder's path too: the worker may have been restarted since it began). */
  private async dropCopy(move: Move): Promise<void> {
    const { route } = move;
    const futureDir = moveDir(move.target.path, route.topic, route.partition, move.moveId, 'future');
    await this.router.callHeld(route, (w) => w.control.cancelMove(route.slot, futureDir)).catch(() => {});
  }

  /** Holds the partition's requests while the copy is finished, the new placement written and the folders switched. */
  private async switchOver(move: Move): Promise<void> {
    const { route } = move;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    route.held = held;
    this.switchesStarted++;
    this.switching.add(held);
    try {
      await this.drain(route);
      await this.router.callHeld(route, (w) => w.control.finishMove(route.slot));
      await move.recordPlacement(route.topic, route.partition, move.target.path);
      move.committed = true;
      await this.switchFolders(move);
    } finally {
      route.held = null;
      this.switching.delete(held);
      release();
    }
  }

  /**
   * After the commit: the old worker closes the partition and switches the folders, the partition opens from the new
   * dir, the old copy is deleted. If that fails, the partition is served nowhere until the next start finishes the
   * switch from the folders, so that nothing is written to a copy the placement no longer names.
   */
  private async switchFolders(move: Move): Promise<void> {
    const { route, target } = move;
    route.switchCommitted = true;
    let retired: string;
    try {
      await this.onStep('committed', route.topic, route.partition);
      const from = route.dir;
      retired = await this.router.callHeld(route, (w) => w.control.switchMove(route.slot, move.moveId));
      from.partitionCount--;
      target.partitionCount++;
      await this.router.reopenIn(route, target);
    } catch (error) {
      await this.router.callHeld(route, (w) => w.control.closePartition(route.slot)).catch(() => {});
      this.router.forget(route);
      this.logger.error(
        { partition: `${route.topic}-${route.partition}`, err: (error as Error).message },
        'switching a moved partition over failed after its new placement was recorded; it is unavailable until the broker restarts and finishes the switch',
      );
      throw error;
    } finally {
      route.switchCommitted = false;
    }
    await this.onStep('switched', route.topic, route.partition);
    await this.router
      .callHeld(route, (w) => w.control.removeRetiredCopy(retired))
      .catch((error: unknown) => {
        this.logger.warn({ folder: retired, err: (error as Error).message }, 'the old copy of a moved partition is left; it is removed at the next start');
      });
  }

  /**
   * Runs `read` (a look at every partition, as stats) so that no switch-over ran meanwhile: a partition switching
   * over is closed in one worker before it opens in the other, and would show in neither.
   */
  async withoutSwitching<T>(read: () => Promise<T>): Promise<T> {
    for (;;) {
      await Promise.all(this.switching);
      const started = this.switchesStarted;
      const result = await read();
      if (this.switchesStarted === started && this.switching.size === 0) return result;
    }
  }

  /** Waits until no append, fetch or control call of the held route is in flight. */
  private async drain(route: Route): Promise<void> {
    await this.router.workerFor(route).whenSlotIdle(route.slot);
    await this.router.callsSettled(route);
  }

  /** Clean shutdown: moves under way stop (their copies are dropped); a switch-over in progress finishes first. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.moves.values()].map((m) => m.done));
  }
}
