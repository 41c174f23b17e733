export { type BackupCatalog, fetchBackup, findBackup, listBackups } from "./backup/catalog.js";
export { type CreateBackupOptions, type CreateBackupResult, createBackup } from "./backup/create-backup.js";
export type { BackupEngine, RestoredCheck, SnapshotInfo } from "./backup/engines/engine.js";
export { engineFor, isPostgresUrl } from "./backup/engines/engine-for.js";
export { PostgresEngine, type PostgresEngineOptions } from "./backup/engines/postgres-engine.js";
export { type SqliteBackupMethod, SqliteEngine, type SqliteEngineOptions } from "./backup/engines/sqlite-engine.js";
export { BACKUP_ERRORS, type BackupErrorCode } from "./backup/errors.js";
export { type BackupEngineName, type BackupManifest, parseManifest } from "./backup/manifest.js";
export type { OnProgress, Progress } from "./backup/progress.js";
export { type RestoreBackupOptions, type RestoreBackupResult, restoreBackup } from "./backup/restore-backup.js";
export {
  type OwnerConflictMode,
  type RestoreOwnerRowsOptions,
  type RestoreOwnerRowsResult,
  restoreOwnerRows,
} from "./backup/restore-owner-rows.js";
export { applyRetention, deleteBackup } from "./backup/retention/apply-retention.js";
export {
  planRetention,
  type RetentionItem,
  type RetentionPlan,
  type RetentionPolicy,
} from "./backup/retention/plan-retention.js";
export { LocalDirTarget } from "./backup/targets/local-dir-target.js";
export { type OpenTargetOptions, openTarget } from "./backup/targets/open-target.js";
export { S3Target, type S3TargetOptions } from "./backup/targets/s3-target.js";
export type { BackupTarget, TargetBody } from "./backup/targets/target.js";
export { checkVerificationAge, lastVerified } from "./backup/verify/check-verification-age.js";
export { listVerifications, type VerificationRecord } from "./backup/verify/verification-record.js";
export { type VerifyBackupOptions, verifyBackup } from "./backup/verify/verify-backup.js";
export type { EngineDialect, Executor, Statement } from "./connection/executor.js";
export {
  type DataConnection,
  DB_MISSING,
  DB_OPEN,
  isPostgresTarget,
  type OpenDatabaseOptions,
  openDatabase,
} from "./connection/open-database.js";
export { PostgresExecutor } from "./connection/postgres-executor.js";
export { SqliteExecutor } from "./connection/sqlite-executor.js";
export { isFailoverError } from "./failover/classify.js";
export {
  AMBIGUOUS_COMMIT,
  FailoverClient,
  type FailoverClientOptions,
  type FailoverEvents,
  isRetryableFailover,
  NO_PRIMARY,
} from "./failover/failover-client.js";
export { type FailoverDrillOptions, type FailoverDrillResult, runFailoverDrill } from "./failover/failover-drill.js";
export { type FailoverRetryOptions, failoverRetry } from "./failover/failover-retry.js";
export { Promoter, type PromoterEvents, type PromoterOptions } from "./failover/promoter.js";
export { type ReplicationStatus, readReplicationStatus, type StandbyStatus } from "./failover/replication-status.js";
export type { Actor } from "./lifecycle/actor.js";
export type { AuditAction, AuditRecord } from "./lifecycle/audit.js";
export {
  type Declaration,
  type DeclaredTable,
  declareTables,
  type LifecycleDeclaration,
  loadDeclaration,
  type ParentDeclaration,
  type TableDeclaration,
  type UniqueKeyDeclaration,
} from "./lifecycle/declaration.js";
export { LIFECYCLE_ERRORS, type LifecycleErrorCode } from "./lifecycle/errors.js";
export {
  type AggregateFunction,
  type DeleteResult,
  LifecycleStore,
  type LifecycleStoreOptions,
  type ListOptions,
  type ReadOptions,
  type RestoreOptions,
  type RestoreResult,
  type Row,
} from "./lifecycle/lifecycle-store.js";
export type { DeletedRow } from "./lifecycle/list-deleted.js";
export { META, type Phase, type PhaseStamps, phaseAt } from "./lifecycle/phase.js";
export { AUDIT_TABLE, checkSchema, ensureSchema, schemaStatements } from "./lifecycle/schema.js";
export { visible } from "./lifecycle/visible.js";
export { findPostgresBin } from "./postgres/binaries.js";
export { LocalPostgres, type LocalPostgresOptions } from "./postgres/local-postgres.js";
export {
  type PointInTimeRestoreOptions,
  type RecoveryTarget,
  restoreToPointInTime,
  takeBaseBackup,
  walArchiving,
} from "./postgres/point-in-time.js";
export { type PurgeGuard, type PurgeOptions, type PurgeProgress, type PurgeResult, purge } from "./purge/purge.js";
