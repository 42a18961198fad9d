/**
 * @module worker/receive-log — a receive shard's write-ahead log in its Durable Object's SQLite
 * storage, shaped like Prometheus's WAL: a series record once per series (ref, tenant, labels),
 * then sample rows (20 bytes each: ref, timestamp, value bits) per accepted request. Writes made in
 * one turn of the event loop commit together, and the object's output gate holds the response
 * until they are durable: an acknowledged write survives a crash, a restart or an eviction.
 *
 * A block cut records the tenant's boundary and deletes what the block now holds: sample records
 * entirely before it; the tenant's series records are rewritten from the head. Replay rebuilds
 * the head from what is left.
 */
import type { HeadSeries, ReceiveHead } from '../core/receive/head.ts';
import { LOG_ROW_BYTES } from '../core/receive/head.ts';

/** SQLite BLOBs in a Durable Object are limited to 2 MB; sample records stay under 1 MiB. */
const ROWS_PER_RECORD = Math.floor((1 << 20) / LOG_ROW_BYTES);
/** Series a series record holds (~100 bytes of labels each: well under the 2 MB limit). */
const SERIES_PER_RECORD = 5000;

export interface ReplayStats {
  readonly series: number;
  readonly records: number;
  readonly samples: number;
}

export class ReceiveLog {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    // One row holds the series records of one append (a JSON array of [ref, name, value, ...]):
    // thousands of new series cost one statement, not thousands.
    sql.exec(
      `CREATE TABLE IF NOT EXISTS series_records (id INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, records TEXT NOT NULL)`,
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
    if (newSeries.length > 0) this.#writeSeries(tenant, newSeries);
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

  #writeSeries(tenant: string, series: readonly HeadSeries[]): void {
    for (let at = 0; at < series.length; at += SERIES_PER_RECORD) {
      const records = series.slice(at, at + SERIES_PER_RECORD).map((s) => {
        const flat: Array<number | string> = [s.ref];
        for (const l of s.labels) flat.push(l.name, l.value);
        return flat;
      });
      this.#sql.exec(
        'INSERT INTO series_records (tenant, records) VALUES (?, ?)',
        tenant,
        JSON.stringify(records),
      );
    }
  }

  /**
   * After a block cut: the tenant's boundary, the sample records the block now holds gone, and the
   * series records rewritten from the head (the cut dropped series that no longer hold samples).
   */
  cut(tenant: string, before: number, head: ReceiveHead): void {
    this.#sql.exec(
      'INSERT INTO tenants (tenant, min_valid) VALUES (?, ?) ON CONFLICT(tenant) DO UPDATE SET min_valid = max(min_valid, excluded.min_valid)',
      tenant,
      before,
    );
    this.#sql.exec('DELETE FROM samples WHERE tenant = ? AND max_t < ?', tenant, before);
    this.rewriteSeries(tenant, head);
  }

  /** The tenant's series records rewritten from the head (after a truncation dropped some). */
  rewriteSeries(tenant: string, head: ReceiveHead): void {
    this.#sql.exec('DELETE FROM series_records WHERE tenant = ?', tenant);
    const t = head.tenants.get(tenant);
    if (t) this.#writeSeries(tenant, [...t.series.values()]);
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
    for (const r of this.#sql.exec<{ tenant: string; records: string }>(
      'SELECT tenant, records FROM series_records ORDER BY id',
    )) {
      for (const rec of JSON.parse(r.records) as Array<[number, ...string[]]>) {
        const labels = [];
        for (let i = 1; i + 1 < rec.length; i += 2) {
          labels.push({ name: rec[i] as string, value: rec[i + 1] as string });
        }
        head.restoreSeries(rec[0], r.tenant, labels);
        series++;
      }
    }
    let records = 0;
    let samples = 0;
    for (const r of this.#sql.exec<{ rows: ArrayBuffer }>(
      'SELECT rows FROM samples ORDER BY seq',
    )) {
      samples += head.replayRows(new Uint8Array(r.rows));
      records++;
    }
    // Series whose samples all went into a block before a restart come back empty: not served.
    head.dropEmptySeries();
    return { series, records, samples };
  }

  /** Bytes the log takes in storage. */
  get size(): number {
    return this.#sql.databaseSize;
  }
}
