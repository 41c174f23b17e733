export type { BackupEngine, RestoredCheck, SnapshotInfo } from "./backup/backup-engine.js";
export type { BackupChecksum, ChecksumScheme } from "./backup/block-checksum.js";
export { type BackupCatalog, findBackup, listBackups } from "./backup/catalog.js";
export { type CreateBackupOptions, type CreateBackupResult, createBackup } from "./backup/create-backup.js";
export { BACKUP_ERRORS, BackupError, type BackupErrorCode } from "./backup/errors.js";
export { fetchBackup } from "./backup/fetch-backup.js";
export type { IncompleteBackup } from "./backup/incomplete.js";
export { type BackupManifest, parseManifest } from "./backup/manifest.js";
export { type RestoreBackupOptions, type RestoreBackupResult, restoreBackup } from "./backup/restore-backup.js";
export {
  type RestoreOwnerRowsOptions,
  type RestoreOwnerRowsResult,
  restoreOwnerRows,
} from "./backup/restore-owner-rows.js";
export { applyRetention, deleteBackup, type RetentionResult } from "./backup/retention/apply-retention.js";
export {
  planRetention,
  type RetentionItem,
  type RetentionPlan,
  type RetentionPolicy,
} from "./backup/retention/plan-retention.js";
export type { StagingInfo } from "./backup/staging/sweep-staging.js";
export { LocalDirTarget, type LocalDirTargetOptions } from "./backup/targets/local-dir-target.js";
export { type OpenTargetOptions, openTarget } from "./backup/targets/open-target.js";
export { type S3Credentials, S3Target, type S3TargetOptions } from "./backup/targets/s3-target.js";
export type { BackupTarget, ObjectInfo, StagedFolder, TargetBody } from "./backup/targets/target.js";
export { checkVerificationAge, lastVerified } from "./backup/verify/check-verification-age.js";
export {
  listVerifications,
  type VerificationRecord,
  verificationStatus,
} from "./backup/verify/verification-record.js";
export { type VerifyBackupOptions, type VerifyBackupResult, verifyBackup } from "./backup/verify/verify-backup.js";
export { DATABASE_ERRORS, DatabaseError, type DatabaseErrorCode } from "./connection/errors.js";
export type { Executor, Statement } from "./connection/executor.js";
export { openDatabase } from "./connection/open-database.js";
export type {
  CopiedRows,
  CopyOwnerRowsOptions,
  DataConnection,
  Dialect,
  EngineName,
  LifecycleSql,
  OpenDatabaseOptions,
  OwnerConflictMode,
  OwnerTable,
  Scratch,
} from "./dialect/dialect.js";
export { dialectFor, dialectNamed } from "./dialect/dialect-for.js";
export { PostgresDialect, type PostgresDialectOptions } from "./dialect/postgres/postgres-dialect.js";
export type { RestoreCheck } from "./dialect/sqlite/check-restored.js";
export type { SqliteBackupMethod } from "./dialect/sqlite/sqlite-backup-engine.js";
export { SqliteDialect, type SqliteDialectOptions } from "./dialect/sqlite/sqlite-dialect.js";
export { isPrimaryLost } from "./failover/classify.js";
export { FAILOVER_ERRORS, FailoverError, type FailoverErrorCode } from "./failover/errors.js";
export {
  FailoverClient,
  type FailoverClientOptions,
  type FailoverEvents,
  isRetryableFailover,
} from "./failover/failover-client.js";
export { type FailoverRetryOptions, failoverRetry } from "./failover/failover-retry.js";
export { Promoter, type PromoterEvents, type PromoterOptions } from "./failover/promoter.js";
export { type ReplicationStatus, readReplicationStatus, type StandbyStatus } from "./failover/replication-status.js";
export { type Actor, checkActor, isAdmin } from "./lifecycle/actor.js";
export type { AdminRow, DeletedOptions } from "./lifecycle/admin-rows.js";
export type { AuditAction, AuditRecord, AuditRow } from "./lifecycle/audit.js";
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
export type { DeleteResult, ForgetResult } from "./lifecycle/deletion.js";
export { LIFECYCLE_ERRORS, LifecycleError, type LifecycleErrorCode } from "./lifecycle/errors.js";
export {
  type AggregateFunction,
  type AuditOptions,
  LifecycleStore,
  type LifecycleStoreOptions,
  type ListOptions,
  type ReadOptions,
  type RestoreOptions,
  type RestoreResult,
  type Row,
} from "./lifecycle/lifecycle-store.js";
export { META, type Phase, type PhaseStamps, phaseAt } from "./lifecycle/phase.js";
export type { Renamed } from "./lifecycle/restore-group.js";
export { AUDIT_ROWS_TABLE, AUDIT_TABLE, checkSchema, ensureSchema, schemaStatements } from "./lifecycle/schema.js";
export type { TrashGroup, TrashOptions } from "./lifecycle/trash-groups.js";
export { visible } from "./lifecycle/visible.js";
export { type BaseBackupResult, type TakeBaseBackupOptions, takeBaseBackup } from "./postgres/base-backup.js";
export { findPostgresBin } from "./postgres/binaries.js";
export { POSTGRES_SERVER_ERRORS, PostgresServerError, type PostgresServerErrorCode } from "./postgres/errors.js";
export { LocalPostgres, type LocalPostgresOptions } from "./postgres/local-postgres.js";
export {
  type PointInTimeRestoreOptions,
  type PointInTimeRestoreResult,
  type RecoveryTarget,
  restoreToPointInTime,
} from "./postgres/point-in-time.js";
export { restoreCommand, walArchiving } from "./postgres/wal-archiving.js";
export { type PurgeGuard, type PurgeOptions, type PurgeResult, purge } from "./purge/purge.js";
export type { ReplicaCompression } from "./replicate/codec/compression.js";
export { loadReplicaKey, parseReplicaKey, REPLICA_KEY_ENV, replicaKeyId } from "./replicate/codec/replica-key.js";
export { REPLICA_ERRORS, ReplicaError, type ReplicaErrorCode } from "./replicate/errors.js";
export {
  type GenerationInfo,
  isReplica,
  listReplica,
  type ReplicaCatalog,
  type ReplicaGeneration,
  type ReplicaObjectRef,
} from "./replicate/layout/replica-catalog.js";
export { replicate } from "./replicate/replicate.js";
export type { ReplicaRetention, ReplicateOptions } from "./replicate/replicator/replicate-options.js";
export { Replicator } from "./replicate/replicator/replicator.js";
export type { ReplicatorEvents } from "./replicate/replicator/replicator-events.js";
export {
  type RestoreReplicaOptions,
  type RestoreReplicaResult,
  restoreReplica,
} from "./replicate/restore/restore-replica.js";
export {
  applyReplicaRetention,
  type ReplicaRetentionResult,
} from "./replicate/retention/apply-replica-retention.js";
export { planReplicaRetention, type ReplicaRetentionPlan } from "./replicate/retention/plan-replica-retention.js";
export {
  type VerifyReplicaOptions,
  type VerifyReplicaResult,
  verifyReplica,
} from "./replicate/verify/verify-replica.js";
