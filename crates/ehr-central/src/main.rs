//! The `ehr-central` command: serve, seed, staff, counters, check, bench.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ehr_central::{auth, db::Db, seed, Error};
use ehr_protocol::wire::StaffRole;

#[derive(Parser)]
#[command(
    name = "ehr-central",
    version,
    about = "The reference central registration service of eHR Counter"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve API v1 and the online application form.
    Serve {
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1:8443")]
        addr: SocketAddr,
        /// The data directory (the encrypted database and its key file live here).
        #[arg(long)]
        data_dir: PathBuf,
        /// The TLS certificate chain (PEM).
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The TLS private key (PEM).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// A CA whose client certificates identify counters (PEM).
        #[arg(long, requires = "tls_cert")]
        client_ca: Option<PathBuf>,
        /// Serve plain HTTP (only allowed on a loopback address).
        #[arg(long, conflicts_with = "tls_cert")]
        insecure_http: bool,
    },
    /// Install reference data; with --demo also staff, counters and applications.
    Seed {
        /// The data directory.
        #[arg(long)]
        data_dir: PathBuf,
        /// Add the demo data.
        #[arg(long)]
        demo: bool,
        /// How many pending applications to add with --demo.
        #[arg(long, default_value_t = 300)]
        applications: usize,
        /// The seed of the demo data.
        #[arg(long, default_value_t = 20_260_101)]
        seed: u64,
        /// Only when the folder holds no database yet (the service unit's
        /// first start); otherwise say so and change nothing.
        #[arg(long, conflicts_with = "demo")]
        if_new: bool,
    },
    /// Manage staff accounts.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Manage counters.
    Counter {
        #[command(subcommand)]
        command: CounterCommand,
    },
    /// A consistent online copy of the database into a new folder (the
    /// service may keep running); check it with `check --data-dir OUT`.
    Backup {
        /// The data directory.
        #[arg(long)]
        data_dir: PathBuf,
        /// The new folder for the copy.
        #[arg(long)]
        out: PathBuf,
        /// Leave the key file out of the copy (it then opens only with the
        /// original's key).
        #[arg(long)]
        without_key: bool,
    },
    /// Check the database's integrity.
    Check {
        /// The data directory.
        #[arg(long)]
        data_dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Add a staff account (or reset its password); the password is read
    /// from the EHR_CENTRAL_PASSWORD environment variable or stdin.
    Add {
        /// The data directory.
        #[arg(long)]
        data_dir: PathBuf,
        /// The staff code.
        #[arg(long)]
        code: String,
        /// Make the account a supervisor.
        #[arg(long)]
        supervisor: bool,
        /// The name counters show for the staff member.
        #[arg(long)]
        name: Option<String>,
    },
    /// Deactivate a staff account: it signs in nowhere from now on, its
    /// sessions are refused at once, and counters delete their offline
    /// sign-in verifiers for it at their next reference sync.
    Deactivate {
        /// The data directory.
        #[arg(long)]
        data_dir: PathBuf,
        /// The staff code.
        code: String,
    },
}

#[derive(Subcommand)]
enum CounterCommand {
    /// Create a counter for a site and print its one-time enrolment code.
    Enrol {
        /// The data directory.
        #[arg(long)]
        data_dir: PathBuf,
        /// The site code.
        #[arg(long)]
        site: String,
        /// The counter's name.
        #[arg(long)]
        name: String,
        /// Bind a client certificate (SHA-256 fingerprint, hex) to the counter.
        #[arg(long)]
        cert_fingerprint: Option<String>,
    },
    /// Withdraw a counter: its machine key, certificate, staff sessions and
    /// supervisor sign-offs are refused from now on (`counter.revoked`).
    Revoke {
        /// The data directory.
        #[arg(long)]
        data_dir: PathBuf,
        /// The counter's id (`CTR-…`).
        counter_id: String,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("EHR_CENTRAL_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ehr-central: {e}");
            ExitCode::FAILURE
        }
    }
}

fn read_password() -> Result<String, Error> {
    if let Ok(p) = std::env::var("EHR_CENTRAL_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Serve {
            addr,
            data_dir,
            tls_cert,
            tls_key,
            client_ca,
            insecure_http,
        } => {
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(async move {
                let state = ehr_central::open(&data_dir)?;
                match (tls_cert, tls_key) {
                    (Some(cert), Some(key)) => {
                        ehr_central::tls::serve(state, addr, &cert, &key, client_ca.as_deref())
                            .await
                    }
                    _ if insecure_http && addr.ip().is_loopback() => {
                        let running = ehr_central::spawn_http(state, addr).await?;
                        tracing::info!(addr = %running.addr, "serving plain HTTP on loopback");
                        println!("listening on {}", running.url());
                        ehr_central::shutdown_signal().await?;
                        running.stop().await;
                        Ok(())
                    }
                    _ => Err(Error::Usage(
                        "give --tls-cert and --tls-key, or --insecure-http on a loopback address"
                            .into(),
                    )),
                }
            })
        }
        Command::Seed {
            data_dir,
            demo,
            applications,
            seed,
            if_new,
        } => {
            if if_new && data_dir.join(ehr_central::db::DB_FILE).exists() {
                eprintln!("a database is already there: nothing seeded");
                return Ok(());
            }
            let db = Db::open(&data_dir)?;
            if demo {
                let creds = seed::demo(&db, &data_dir, seed, applications)?;
                let json =
                    serde_json::to_string_pretty(&creds).map_err(|_| Error::Internal("json"))?;
                println!("{json}");
                eprintln!(
                    "demo credentials written to {}",
                    data_dir.join(seed::CREDENTIALS_FILE).display()
                );
            } else {
                seed::reference_only(&db)?;
            }
            Ok(())
        }
        Command::Staff {
            command:
                StaffCommand::Add {
                    data_dir,
                    code,
                    supervisor,
                    name,
                },
        } => {
            let password = read_password()?;
            let db = Db::open(&data_dir)?;
            let role = if supervisor {
                StaffRole::Supervisor
            } else {
                StaffRole::RegistrationStaff
            };
            db.write(|tx| {
                auth::add_staff(tx, &code, role, &password)?;
                if name.is_some() {
                    auth::set_display_name(tx, &code, name.as_deref())?;
                }
                Ok::<_, Error>(())
            })?;
            println!("staff account {code} saved");
            Ok(())
        }
        Command::Staff {
            command: StaffCommand::Deactivate { data_dir, code },
        } => {
            let db = Db::open_existing(&data_dir)?;
            let now = ehr_central::util::now_unix();
            if db.write(|tx| auth::deactivate_staff(tx, &code, now))? {
                println!("staff account {code} deactivated; its sessions are ended");
                Ok(())
            } else {
                Err(Error::Usage(format!("no active staff account {code}")))
            }
        }
        Command::Counter {
            command:
                CounterCommand::Enrol {
                    data_dir,
                    site,
                    name,
                    cert_fingerprint,
                },
        } => {
            let db = Db::open(&data_dir)?;
            let (id, code) = db.write(|tx| {
                let (id, code) = auth::create_counter(tx, &site, &name)?;
                if let Some(fp) = &cert_fingerprint {
                    auth::set_counter_certificate(tx, &id, fp)?;
                }
                Ok::<_, Error>((id, code))
            })?;
            println!("counter {id} created for site {site}");
            println!("enrolment code (valid 24 hours, use once): {code}");
            Ok(())
        }
        Command::Counter {
            command:
                CounterCommand::Revoke {
                    data_dir,
                    counter_id,
                },
        } => {
            let db = Db::open_existing(&data_dir)?;
            let now = ehr_central::util::now_unix();
            if db.write(|tx| auth::revoke_counter(tx, counter_id.trim(), now))? {
                println!("counter {} revoked", counter_id.trim());
                Ok(())
            } else {
                Err(Error::Usage(format!(
                    "no counter {} that is not revoked already",
                    counter_id.trim()
                )))
            }
        }
        Command::Backup {
            data_dir,
            out,
            without_key,
        } => {
            ehr_central::db::backup(&data_dir, &out, !without_key)?;
            println!("backed up to {}", out.display());
            Ok(())
        }
        Command::Check { data_dir } => {
            let db = Db::open_existing(&data_dir)?;
            let problems = db.check()?;
            if problems.is_empty() {
                println!("ok");
                Ok(())
            } else {
                for p in &problems {
                    println!("{p}");
                }
                Err(Error::Usage(format!("{} problem(s) found", problems.len())))
            }
        }
    }
}
