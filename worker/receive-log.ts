/**
 * @module worker/receive-log — a receive shard's write-ahead log in its Durable Object's SQLite
 * storage, shaped like Prometheus's WAL: a series record once per series (ref, tenant, labels),
 * then sample rows (20 bytes each: ref, timestamp, value bits) per accepted request. Writes made in
 * one turn of the event loop commit together, and the object's output gate holds the response
 * until they are durable: an acknowledged write survives a crash, a restart or an eviction.
 *
 * A block cut records the tenant's boundary and deletes what the block now holds: sample records
 * entirely before it and the series the cut dropped. Replay rebuilds the head from what is left.
 */
import type { Labels } from '../core/labels/labels.ts';
import type { HeadSeries, ReceiveHead } from '../core/receive/head.ts';
import { LOG_ROW_BYTES } from '../core/receive/head.ts';

/** SQLite BLOBs in a Durable Object are limited to 2 MB; sample records stay under 1 MiB. */
const ROWS_PER_RECORD = Math.floor((1 << 20) / LOG_ROW_BYTES);

export interface ReplayStats {
  readonly series: number;
  readonly records: number;
  readonly samples: number;
}

export class ReceiveLog {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(
      `CREATE TABLE IF NOT EXISTS series (ref INTEGER PRIMARY KEY, tenant TEXT NOT NULL, labels TEXT NOT NULL)`,
    );
    sql.exec(
      `CREATE TABLE IF NOT EXISTS samples (seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, max_t INTEGER NOT NULL, rows BLOB NOT NULL)`,
    );
    sql.exec(
      `CREATE TABLE IF NOT EXISTS tenants (tenant TEXT PRIMARY KEY, min_valid INTEGER NOT NULL)`,
    );
    sql.exec(`CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  }

  /** Logs an accepted append: its new series, then its sample rows. */
  append(tenant: string, newSeries: readonly HeadSeries[], rows: Uint8Array, maxT: number): void {
    for (const s of newSeries) {
      this.#sql.exec(
        'INSERT OR REPLACE INTO series (ref, tenant, labels) VALUES (?, ?, ?)',
        s.ref,
        tenant,
        encodeLabels(s.labels),
      );
    }
    const per = ROWS_PER_RECORD * LOG_ROW_BYTES;
    for (let at = 0; at < rows.length; at += per) {
      const part = rows.slice(at, Math.min(rows.length, at + per));
      this.#sql.exec(
        'INSERT INTO samples (tenant, max_t, rows) VALUES (?, ?, ?)',
        tenant,
        maxT,
        part.buffer,
      );
    }
  }

  /** After a block cut: the tenant's boundary, and what the block (or nothing) now holds is gone. */
  cut(tenant: string, before: number, droppedRefs: readonly number[]): void {
    this.#sql.exec(
      'INSERT INTO tenants (tenant, min_valid) VALUES (?, ?) ON CONFLICT(tenant) DO UPDATE SET min_valid = max(min_valid, excluded.min_valid)',
      tenant,
      before,
    );
    this.#sql.exec('DELETE FROM samples WHERE tenant = ? AND max_t < ?', tenant, before);
    for (const ref of droppedRefs) this.#sql.exec('DELETE FROM series WHERE ref = ?', ref);
  }

  setting(key: string): string | undefined {
    const row = this.#sql
      .exec<{ value: string }>('SELECT value FROM settings WHERE key = ?', key)
      .toArray()[0];
    return row?.value;
  }

  setSetting(key: string, value: string): void {
    this.#sql.exec('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)', key, value);
  }

  /** Rebuilds `head` from the log: boundaries, series, then sample records in write order. */
  replay(head: ReceiveHead): ReplayStats {
    for (const r of this.#sql.exec<{ tenant: string; min_valid: number }>(
      'SELECT tenant, min_valid FROM tenants',
    )) {
      head.restoreMinValidTime(r.tenant, r.min_valid);
    }
    let series = 0;
    for (const r of this.#sql.exec<{ ref: number; tenant: string; labels: string }>(
      'SELECT ref, tenant, labels FROM series ORDER BY ref',
    )) {
      head.restoreSeries(r.ref, r.tenant, decodeLabels(r.labels));
      series++;
    }
    let records = 0;
    let samples = 0;
    for (const r of this.#sql.exec<{ rows: ArrayBuffer }>(
      'SELECT rows FROM samples ORDER BY seq',
    )) {
      samples += head.replayRows(new Uint8Array(r.rows));
      records++;
    }
    return { series, records, samples };
  }

  /** Bytes the log takes in storage. */
  get size(): number {
    return this.#sql.databaseSize;
  }
}

/** Labels as a flat JSON array of names and values (compact, and strings stay exact). */
function encodeLabels(ls: Labels): string {
  const flat: string[] = [];
  for (const l of ls) flat.push(l.name, l.value);
  return JSON.stringify(flat);
}

function decodeLabels(s: string): Labels {
  const flat = JSON.parse(s) as string[];
  const out = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ name: flat[i]!, value: flat[i + 1]! });
  return out;
}
