//! The IPC types the screens use. They are generated from the Rust types into
//! `bindings.ts` by tauri-specta (never written by hand); this module only re-exports
//! them, plus a few readable aliases for plain strings.

export type {
  Address,
  AddressRow,
  AppInfo,
  AsOf,
  BackupFile,
  BackupReport,
  Changed,
  CheckReport,
  Command,
  CommandOutcome,
  CustomerDetail,
  CustomerKind,
  CustomerPage,
  CustomerQuery,
  CustomerRow,
  Dashboard,
  DataStatus,
  DayCount,
  DayFigure,
  DemoLoaded,
  ErrorBody,
  ExportKind,
  ExportReport,
  FieldChange,
  FreshStart,
  HistoryEntry,
  LineRow,
  Money,
  NeedsAttention,
  NumberSeries,
  OrderDetail,
  OrderPage,
  OrderQuery,
  OrderRow,
  OrderSort,
  OrderStatus,
  OrderSummary,
  ProductPage,
  ProductQuery,
  ProductRow,
  Progress,
  RateTotal,
  RecordHistory,
  RestoreReport,
  StateAt,
  StoreSummary,
  StreamType,
  SyncProgress,
  SyncStatus,
  TimelineEntry,
  TimelineFilter,
  TimelinePage,
  TopCustomer,
  Totals,
  VatClass,
} from "./bindings";

/** A UUID as text. */
export type Uuid = string;
/** `YYYY-MM-DD`, a UTC day. */
export type NaiveDate = string;
/** An RFC 3339 UTC timestamp. */
export type DateTimeUtc = string;
