//! The `zhenxing` binary: the server and its operator commands.

use std::path::PathBuf;
use std::time::Instant;

use actix_web::{HttpServer, web};
use anyhow::Context as _;
use api::config::Config;
use clap::{Parser, Subcommand};
use infra::db::Db;
use infra::jwt::KeyRing;
use secrecy::{ExposeSecret as _, SecretString};

#[derive(Parser)]
#[command(
    name = "zhenxing",
    version,
    about = "Zhenxing (振兴) API server and operator commands"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Create the database roles and database (needs ADMIN_DATABASE_URL).
    Bootstrap,
    /// Apply pending migrations as the owner role.
    Migrate,
    /// Import NBS division-code CSV files (plain or gzipped), idempotently.
    Regions {
        /// Files, or directories whose *.csv / *.csv.gz files are imported.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Only this subtree (and its ancestors), e.g. 37 for Shandong.
        #[arg(long)]
        prefix: Option<String>,
    },
    /// Create a platform administrator (the first account of a new installation).
    CreatePlatformAdmin {
        /// Login name.
        #[arg(long)]
        username: String,
        /// Password (or set ZX_ADMIN_PASSWORD).
        #[arg(long, env = "ZX_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Migrate, import regions and load the demo: Sishui county and one user per role.
    Demo {
        /// Directory of the division-code files.
        #[arg(long, default_value = "data/regions")]
        regions: PathBuf,
    },
    /// Write synthetic households on the real village codes of a region, as import sheets.
    Generate {
        /// Region code (e.g. 37 for Shandong, 370831 for Sishui).
        #[arg(long)]
        region: String,
        /// How many households.
        #[arg(long)]
        households: usize,
        /// Output directory (one CSV per county, split at 75,000 rows (under the 20 MB upload limit)).
        #[arg(long)]
        out: PathBuf,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Onboard every county under a region, each with an importer account import.<county>
    /// (password from ZX_SEED_PASSWORD); for benchmarks and trials.
    SeedTenants {
        /// Region code.
        #[arg(long)]
        region: String,
    },
    /// Import household sheets as a user, through the same code as the API's import jobs.
    Import {
        /// The user to act as (needs cases:import where the households are).
        #[arg(long)]
        username: String,
        /// Check only.
        #[arg(long)]
        dry_run: bool,
        /// Files or directories of .csv / .xlsx sheets.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Re-encrypt every ID number under the active data key (after adding a key to ZX_DATA_KEYS).
    Reencrypt,
    /// Write a new signing key into ZX_JWT_KEYS_DIR and remove keys past their grace period.
    RotateKey,
    /// Offboard a county: archive every row of it to a gzipped JSON-lines file, then delete
    /// them, in one transaction, audited (needs MIGRATION_DATABASE_URL, the owner role).
    Offboard {
        /// The county's 6-digit code.
        #[arg(long)]
        county: String,
        /// Type the county code again to confirm.
        #[arg(long)]
        confirm: String,
        /// Archive file to write (e.g. 370831-offboarded.jsonl.gz).
        #[arg(long)]
        out: PathBuf,
    },
    /// Retire months of the audit log past the longest retention in force: detach each
    /// month's partition, archive it to OUT/audit-YYYY-MM.jsonl.gz, then drop it, audited
    /// (needs MIGRATION_DATABASE_URL, the owner role).
    AuditRetire {
        /// Directory for the archives.
        #[arg(long)]
        out: PathBuf,
        /// Only list the months that would be retired.
        #[arg(long)]
        dry_run: bool,
    },
    /// Retire old months of every table partitioned by month (the audit log, households'
    /// history, job row errors, webhook deliveries, login attempts): detach, archive, drop.
    /// Retentions: the audit log's longest `audit.retention_days`, the others
    /// `ZX_RETAIN_*_DAYS`.
    RetireMonths {
        /// Directory for the archives.
        #[arg(long)]
        out: PathBuf,
        /// Only list the months that would be retired.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print the OpenAPI document.
    Openapi,
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("ZX_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            for e in std::fs::read_dir(p).with_context(|| format!("cannot read {}", p.display()))? {
                let path = e?.path();
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if name.ends_with(".csv") || name.ends_with(".csv.gz") {
                    files.push(path);
                }
            }
        } else {
            files.push(p.clone());
        }
    }
    files.sort();
    Ok(files)
}

/// The household files named, a directory standing for its `.csv` and `.xlsx` files (in any
/// case: `.CSV` too), in name order. Other files in a directory are named on stderr and left,
/// not read as registers (a `.csv.gz` of regions, say).
fn household_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        if !p.is_dir() {
            files.push(p.clone());
            continue;
        }
        let mut found = Vec::new();
        for e in std::fs::read_dir(p).with_context(|| format!("cannot read {}", p.display()))? {
            let path = e?.path();
            let ext = path
                .extension()
                .and_then(|x| x.to_str())
                .map(str::to_ascii_lowercase);
            match ext.as_deref() {
                Some("csv" | "xlsx") => found.push(path),
                _ if path.is_file() => {
                    eprintln!("{}: not a .csv or .xlsx file, left", path.display())
                }
                _ => {}
            }
        }
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

/// Imports regions and prints the report; returns the number of refused rows.
fn import_regions(
    owner: &SecretString,
    paths: &[PathBuf],
    prefix: Option<&str>,
) -> anyhow::Result<usize> {
    let files = expand(paths)?;
    let started = Instant::now();
    let report = infra::regions::import::import_files_as_owner(owner, &files, prefix)?;
    for e in &report.errors {
        eprintln!("{}:{}: {}", e.file.display(), e.line, e.reason);
    }
    eprintln!(
        "regions: {} rows read, {} skipped by prefix, {} inserted, {} updated, {} unchanged, {} refused, in {:.1} s",
        report.rows_read,
        report.rows_skipped,
        report.inserted,
        report.updated,
        report.unchanged,
        report.errors.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(report.errors.len())
}

fn keys(config: &Config) -> anyhow::Result<KeyRing> {
    match &config.keys_dir {
        Some(dir) => {
            if !dir.exists() || std::fs::read_dir(dir)?.next().is_none() {
                let kid = KeyRing::rotate_dir(dir, config.key_grace, chrono::Utc::now())?;
                tracing::info!(kid, "created the first signing key");
            }
            KeyRing::load_dir(dir, config.key_grace, chrono::Utc::now())
        }
        None => {
            tracing::warn!(
                "ZX_JWT_KEYS_DIR is not set: using an ephemeral signing key (tokens die with the process)"
            );
            KeyRing::ephemeral()
        }
    }
}

fn data_keys(config: &Config) -> anyhow::Result<infra::pii::DataKeys> {
    config
        .data_keys
        .as_ref()
        .context("ZX_DATA_KEYS and ZX_BLIND_INDEX_KEY are not set: they encrypt and index ID numbers (see docs/operations.md)")?
        .load()
}

/// The configured data keys, once they are known to be the keys this database's personal data
/// was written with (keys seen for the first time leave their check values).
fn checked_data_keys(config: &Config, db: &Db) -> anyhow::Result<infra::pii::DataKeys> {
    let keys = data_keys(config)?;
    let check = db
        // The whole platform's scope: the check may read one stored ID number (tenant rows).
        .in_scope(domain::RegionCode::PLATFORM.subtree(), |conn| {
            infra::key_check::verify(conn, &keys)
        })
        .map_err(|e| anyhow::anyhow!("cannot check the data keys: {e}"))?;
    let check = check?;
    if !check.recorded.is_empty() {
        tracing::info!(keys = ?check.recorded, "data keys used for the first time: check values recorded");
    }
    Ok(keys)
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let db = Db::connect(&config.database_url, &config.pool)?;
    let data_keys = checked_data_keys(&config, &db)?;
    let state = api::build_state(&config, db, keys(&config)?, data_keys)?;
    let data = web::Data::new(state);
    let limit = config.body_limit;
    if config.demo_clock {
        tracing::warn!(
            "ZX_DEMO_CLOCK is on: a platform administrator can move this instance's date forward \
             (PUT /api/v1/demo/clock); for demos and browser tests only, never in production"
        );
    }
    // The months ahead of every table partitioned by month (the audit log, history, job errors,
    // webhook deliveries, login attempts), before the first request (a lock not granted now is
    // retried by housekeeping, months before the partition is needed).
    let ahead = data.db.clone();
    let clock = data.clock.clone();
    match web::block(move || infra::audit::ensure_partitions(&ahead, clock.now())).await {
        Ok(Ok(n)) if n > 0 => tracing::info!(created = n, "monthly partitions made ahead"),
        Ok(Err(e)) => tracing::warn!(error = %e, "monthly partitions not made ahead yet"),
        _ => {}
    }
    // Housekeeping, at start and every ten minutes, idempotent across instances: ended sessions
    // older than 30 days go; idempotency keys older than ZX_IDEMPOTENCY_KEEP_DAYS go; jobs run
    // in place and silent for ten minutes are failed; the audit log's next months are made
    // ahead; uploads of finished imports leave the file store and its changed months analyzed;
    // audit rows of a county past its (shorter) retention go.
    let keeper = data.clone();
    let keys_kept = data.idempotency_keep;
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            let db = keeper.db.clone();
            let clock = keeper.clock.clone();
            let store = keeper.attachments.clone();
            let done = web::block(move || {
                let sessions = infra::app::auth::prune_sessions(
                    &db,
                    std::time::Duration::from_secs(30 * 24 * 3600),
                )?;
                let jobs = infra::app::jobs::fail_stale(&db, std::time::Duration::from_secs(600))?;
                // Uploads of jobs that are over (failed for good, stale, or finished by a worker
                // that could not remove them) leave the file store.
                let uploads = infra::app::jobs::sweep_uploads(&db, store.as_ref())?;
                if uploads > 0 {
                    tracing::info!(uploads, "uploads of finished imports removed");
                }
                // Uploads stored whose job was never queued (a crash between the two).
                let orphans = infra::app::jobs::sweep_orphan_uploads(
                    &db,
                    store.as_ref(),
                    std::time::Duration::from_secs(24 * 3600),
                )?;
                if orphans > 0 {
                    tracing::info!(orphans, "uploads no import job names removed");
                }
                // Export jobs' files are kept a day (the database forgets their keys after
                // 24 hours; the files go an hour later, so a key still named finds its file).
                let exports = infra::app::jobs::sweep_exports(
                    &db,
                    store.as_ref(),
                    std::time::Duration::from_secs(25 * 3600),
                )?;
                if exports > 0 {
                    tracing::info!(exports, "exported files past their day removed");
                }
                let keys = infra::app::idempotency::prune(&db, keys_kept)?;
                if keys > 0 {
                    tracing::info!(keys, "idempotency keys past their days removed");
                }
                let made = infra::audit::ensure_partitions(&db, clock.now())?;
                if made > 0 {
                    tracing::info!(created = made, "monthly partitions made ahead");
                }
                infra::audit::analyze_months(&db)?;
                let audit = infra::audit::prune(&db, chrono::Utc::now())?;
                if audit > 0 {
                    tracing::info!(rows = audit, "audit rows past their retention removed");
                }
                Ok::<_, domain::DomainError>((sessions, jobs))
            })
            .await;
            match done {
                Ok(Ok((s, j))) if s + j > 0 => {
                    tracing::info!(sessions = s, jobs = j, "housekeeping")
                }
                Ok(Err(e)) => tracing::warn!(error = %e, "housekeeping failed"),
                _ => {}
            }
        }
    });
    // Rollup deltas are folded into the counts every five seconds (and at start).
    let folder = data.clone();
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tick.tick().await;
            let db = folder.db.clone();
            match web::block(move || infra::app::reports::compact(&db)).await {
                Ok(Ok(n)) if n > 0 => tracing::debug!(deltas = n, "rollups compacted"),
                Ok(Err(e)) => tracing::warn!(error = %e, "rollup compaction failed"),
                _ => {}
            }
        }
    });
    // The replica's lag is probed every quarter of the bound (between 50 ms and 1 s).
    if let Some(replica) = data.replica.clone() {
        let every = config
            .replica
            .as_ref()
            .map_or(std::time::Duration::from_secs(1), |r| r.max_lag / 4)
            .clamp(
                std::time::Duration::from_millis(50),
                std::time::Duration::from_secs(1),
            );
        actix_web::rt::spawn(replica.run_probe(data.db.clone(), every));
    }
    // Jobs and webhook deliveries, from the queues every instance shares.
    let background = api::work::Background::start(&data, &config.work);
    tracing::info!(bind = %config.bind, worker = %background.worker, "serving; API docs at /docs");
    // Metrics on their own listener, when configured (see `metrics`).
    let metrics_server = match &config.metrics.bind {
        Some(bind) => {
            let metrics_data = data.clone();
            let server = HttpServer::new(move || api::build_metrics_app(metrics_data.clone()))
                .workers(1)
                .disable_signals()
                .bind(bind)
                .with_context(|| format!("cannot listen on {bind} (ZX_METRICS_BIND)"))?
                .run();
            tracing::info!(bind = %bind, "metrics on their own listener");
            let handle = server.handle();
            actix_web::rt::spawn(server);
            Some(handle)
        }
        None => {
            if config.metrics.token.is_none() {
                tracing::warn!(
                    "neither ZX_METRICS_BIND nor ZX_METRICS_TOKEN is set: /metrics is served nowhere"
                );
            }
            None
        }
    };
    let app_data = data.clone();
    // On SIGTERM or SIGINT: stop accepting, let in-flight requests finish (up to the grace
    // period), then let running jobs finish (up to the grace period again).
    HttpServer::new(move || api::build_app(app_data.clone(), limit))
        .shutdown_timeout(config.shutdown_grace.as_secs())
        .bind(&config.bind)
        .with_context(|| format!("cannot listen on {}", config.bind))?
        .run()
        .await?;
    if let Some(m) = metrics_server {
        m.stop(true).await;
    }
    tracing::info!("requests drained; finishing background work");
    background.shutdown(config.shutdown_grace).await;
    tracing::info!("stopped");
    Ok(())
}

// mimalloc: the import's profile spent an eighth of its CPU in glibc's malloc and free (many
// small strings per row); mimalloc's thread-local free lists cost a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    init_tracing();
    let cli = Cli::parse();
    match run(cli).await {
        // Its own exit status, so that scripts can tell "these keys are not this database's"
        // (scripts/lib/demo-server.sh then starts a fresh scratch database) from other failures.
        Err(e) if e.downcast_ref::<infra::key_check::KeyMismatch>().is_some() => {
            eprintln!("Error: {e}");
            std::process::exit(3);
        }
        other => other,
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        let doc = serde_json::to_string_pretty(&api::api_doc())?;
        std::io::Write::write_all(&mut std::io::stdout(), format!("{doc}\n").as_bytes())?;
        return Ok(());
    }
    let config = Config::from_env()?;
    match command {
        Command::Serve => serve(config).await,
        Command::Offboard {
            county,
            confirm,
            out,
        } => {
            if county != confirm {
                anyhow::bail!("--confirm must repeat the county code");
            }
            let code: i32 = county
                .parse()
                .ok()
                .filter(|_| county.len() == 6)
                .context("--county must be a 6-digit county code")?;
            let operator = std::env::var("USER").unwrap_or_else(|_| "operator".into());
            let store = config.open_attachments()?;
            let report = infra::offboard::run(
                config.migration_url()?.expose_secret(),
                code,
                &out,
                &format!("cli:{operator}"),
                &*store,
            )?;
            for (table, rows) in report.tables.iter().filter(|(_, n)| *n > 0) {
                eprintln!("{table:<28} {rows:>10} rows archived and deleted");
            }
            eprintln!(
                "{:<28} {:>10} files archived and removed",
                "attachments (files)", report.files
            );
            eprintln!("archive {} sha256 {}", out.display(), report.sha256);
            if report.left_behind > 0 {
                eprintln!(
                    "{} rows were written for the county while the archive was made: they are not in this archive and were not deleted; run offboard again (to a new file) to archive and remove them",
                    report.left_behind
                );
            }
            Ok(())
        }
        Command::RetireMonths { out, dry_run } => {
            let retention = api::config::retention_from_env()?;
            if !dry_run {
                std::fs::create_dir_all(&out)
                    .with_context(|| format!("cannot create {}", out.display()))?;
            }
            let operator = std::env::var("USER").unwrap_or_else(|_| "operator".into());
            let reports = infra::retire::run_all(
                config.migration_url()?.expose_secret(),
                &retention,
                chrono::Utc::now(),
                &out,
                dry_run,
                &format!("cli:{operator}"),
            )?;
            for r in &reports {
                eprintln!("{}: retention {} days", r.table, r.retention_days);
                for m in &r.months {
                    if dry_run {
                        eprintln!("  {} {:>12} rows would be retired", m.month, m.rows);
                    } else {
                        eprintln!(
                            "  {} {:>12} rows archived to {} sha256 {}, partition dropped",
                            m.month,
                            m.rows,
                            m.file.display(),
                            m.sha256
                        );
                    }
                }
                for (month, why) in &r.held {
                    eprintln!("  {month} kept for now: {why}");
                }
                if r.baselines > 0 {
                    let (done, who) = match (dry_run, r.baselines) {
                        (true, 1) => ("would get", "household"),
                        (true, _) => ("would get", "households"),
                        (false, 1) => ("given", "household"),
                        (false, _) => ("given", "households"),
                    };
                    eprintln!(
                        "  {} {who} with no history left {done} a baseline of their state now",
                        r.baselines
                    );
                }
            }
            Ok(())
        }
        Command::AuditRetire { out, dry_run } => {
            if !dry_run {
                std::fs::create_dir_all(&out)
                    .with_context(|| format!("cannot create {}", out.display()))?;
            }
            let operator = std::env::var("USER").unwrap_or_else(|_| "operator".into());
            let report = infra::retire::run(
                config.migration_url()?.expose_secret(),
                chrono::Utc::now(),
                &out,
                dry_run,
                &format!("cli:{operator}"),
            )?;
            eprintln!(
                "retention: {} days (the longest in force)",
                report.retention_days
            );
            for m in &report.months {
                if dry_run {
                    eprintln!("{} {:>12} rows would be retired", m.month, m.rows);
                } else {
                    eprintln!(
                        "{} {:>12} rows archived to {} sha256 {}, partition dropped",
                        m.month,
                        m.rows,
                        m.file.display(),
                        m.sha256
                    );
                }
            }
            if report.months.is_empty() {
                eprintln!("no month is past the retention");
            }
            Ok(())
        }
        Command::Bootstrap => {
            let admin = std::env::var("ADMIN_DATABASE_URL")
                .context("ADMIN_DATABASE_URL is not set (a role with CREATEROLE and CREATEDB)")?;
            infra::migrate::bootstrap(
                &SecretString::from(admin),
                config.migration_url()?,
                &config.database_url,
            )?;
            eprintln!("bootstrap: roles and database are in place");
            Ok(())
        }
        Command::Migrate => {
            let n = infra::migrate::run_migrations(config.migration_url()?)?;
            eprintln!("migrate: {n} migration(s) applied");
            Ok(())
        }
        Command::Regions { paths, prefix } => {
            let refused = import_regions(config.migration_url()?, &paths, prefix.as_deref())?;
            if refused > 0 {
                eprintln!("regions: the good rows were loaded; fix the refused rows and re-run");
            }
            Ok(())
        }
        Command::CreatePlatformAdmin { username, password } => {
            let db = Db::connect(&config.database_url, &config.pool)?;
            let state = api::build_state(
                &config,
                db,
                KeyRing::ephemeral()?,
                infra::pii::DataKeys::random()?,
            )?;
            api::demo::create_platform_admin(&state, &username, &password)?;
            eprintln!("created platform administrator {username}");
            Ok(())
        }
        Command::Demo { regions } => {
            let owner = config.migration_url()?.clone();
            infra::migrate::run_migrations(&owner)?;
            import_regions(&owner, &[regions], None)?;
            let db = Db::connect(&config.database_url, &config.pool)?;
            let data_keys = checked_data_keys(&config, &db)?;
            let state = api::build_state(&config, db, KeyRing::ephemeral()?, data_keys)?;
            api::demo::load(&state)
        }
        Command::Generate {
            region,
            households,
            out,
            seed,
        } => {
            let db = Db::connect(&config.database_url, &config.pool)?;
            let state = api::build_state(
                &config,
                db,
                KeyRing::ephemeral()?,
                infra::pii::DataKeys::random()?,
            )?;
            let region = domain::RegionCode::parse(&region).map_err(anyhow::Error::msg)?;
            let villages = api::ops::nodes_under(&state, region, domain::Level::Village)?;
            anyhow::ensure!(
                !villages.is_empty(),
                "no villages under {region}: import the regions first"
            );
            let g = api::generate::generate(&villages, households, &out, seed)?;
            eprintln!(
                "generated {} households, {} members, in {} files under {}",
                g.households,
                g.members,
                g.files.len(),
                out.display()
            );
            Ok(())
        }
        Command::SeedTenants { region } => {
            let password = std::env::var("ZX_SEED_PASSWORD")
                .context("set ZX_SEED_PASSWORD for the seeded accounts")?;
            let db = Db::connect(&config.database_url, &config.pool)?;
            let state = api::build_state(
                &config,
                db,
                KeyRing::ephemeral()?,
                infra::pii::DataKeys::random()?,
            )?;
            let platform = api::ops::acting_as(&state, "platform.admin").or_else(|_| {
                let id = api::demo::create_platform_admin(&state, "platform.admin", &password)?;
                Ok::<_, anyhow::Error>(api::demo::platform_caller(&state, id, "platform.admin"))
            })?;
            let region = domain::RegionCode::parse(&region).map_err(anyhow::Error::msg)?;
            let n = api::ops::seed_tenants(&state, &platform, region, &password)?;
            eprintln!("{n} counties onboarded, each with import.<county>");
            Ok(())
        }
        Command::Import {
            username,
            dry_run,
            paths,
        } => {
            let db = Db::connect(&config.database_url, &config.pool)?;
            let data_keys = checked_data_keys(&config, &db)?;
            let state = api::build_state(&config, db, KeyRing::ephemeral()?, data_keys)?;
            let ctx = api::ops::acting_as(&state, &username)?;
            let files = household_files(&paths)?;
            let (members, secs) = api::ops::import_files(&state, &ctx, &files, dry_run)?;
            eprintln!(
                "import: {members} members written in {secs:.1} s ({:.0} members/s)",
                members as f64 / secs.max(0.001)
            );
            // Fold the rollup deltas the import appended, so dashboards read compact counts.
            infra::app::reports::compact(&state.db).map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(())
        }
        Command::Reencrypt => {
            let db = Db::connect(&config.database_url, &config.pool)?;
            let keys = checked_data_keys(&config, &db)?;
            let n = infra::app::cases::rotate::reencrypt(&db, &keys, 1000)?;
            eprintln!(
                "reencrypt: {n} ID numbers moved to data key {}",
                keys.active()
            );
            Ok(())
        }
        Command::RotateKey => {
            let dir = config
                .keys_dir
                .clone()
                .context("ZX_JWT_KEYS_DIR is not set")?;
            let kid = KeyRing::rotate_dir(&dir, config.key_grace, chrono::Utc::now())?;
            eprintln!(
                "new signing key {kid}; running servers that share the directory sign with it within a minute"
            );
            Ok(())
        }
        Command::Openapi => Ok(()),
    }
}
