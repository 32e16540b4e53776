//! `fanzha user add|list`: accounts for the platform's users. Every user belongs to one unit
//! and sees its subtree; bank liaisons also name their bank, operator liaisons their operator,
//! member liaisons the joint-office member they report for.

use crate::error::{CliError, CliResult, WithCode};
use crate::report::Report;
use crate::Ctx;
use fanzha_core::error_code::ErrorCode;
use fanzha_store::{NewAuditEntry, NewUser, Operator, PageRequest, Role, Scope};
use fanzha_web::auth::password::hash_password;
use std::io::Read;

#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// Create a user, or update one with the same login.
    Add(AddArgs),
    /// List users of a unit's subtree (masked nothing: logins and units are not personal data).
    List(ListArgs),
}

#[derive(clap::Args)]
pub struct AddArgs {
    #[arg(long)]
    login: String,
    /// Name shown in the UI, e.g. 王建国.
    #[arg(long)]
    name: String,
    /// Unit code the user belongs to (see `fanzha units list`).
    #[arg(long)]
    unit: String,
    /// center_analyst, unit_commander, grid_worker, bank_liaison, operator_liaison,
    /// joint_member, leader or admin (repeatable).
    #[arg(long = "role", required = true)]
    roles: Vec<String>,
    /// Bank code (e.g. ICBC) — required for bank liaisons.
    #[arg(long)]
    bank: Option<String>,
    /// Operator code (china_mobile, china_unicom, china_telecom, china_broadnet) — required for
    /// operator liaisons.
    #[arg(long)]
    operator: Option<String>,
    /// The joint-office member (its number, as on the member's page `/joint-office/members/N`)
    /// — required for member liaisons: an active member of the user's unit's office.
    #[arg(long)]
    member: Option<i64>,
    /// Read the password from standard input (first line) instead of FANZHA_NEW_PASSWORD.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(clap::Args)]
pub struct ListArgs {
    /// Only users in this unit's subtree.
    #[arg(long)]
    unit: Option<String>,
}

pub fn run(ctx: &Ctx, c: UserCommand) -> CliResult {
    match c {
        UserCommand::Add(a) => add(ctx, a),
        UserCommand::List(a) => list(ctx, a),
    }
}

fn add(ctx: &Ctx, a: AddArgs) -> CliResult {
    let roles = a
        .roles
        .iter()
        .map(|r| {
            Role::parse(r).ok_or_else(|| {
                CliError::new(ErrorCode::ConfigInvalid, format!("unknown role `{r}`"))
            })
        })
        .collect::<CliResult<Vec<_>>>()?;
    if roles.contains(&Role::BankLiaison) && a.bank.is_none() {
        return Err(CliError::new(
            ErrorCode::ConfigInvalid,
            "a bank liaison needs --bank CODE",
        ));
    }
    if roles.contains(&Role::OperatorLiaison)
        && a.operator.as_deref().and_then(Operator::parse).is_none()
    {
        return Err(CliError::new(
            ErrorCode::ConfigInvalid,
            "an operator liaison needs --operator china_mobile|china_unicom|china_telecom|china_broadnet",
        ));
    }
    if roles.contains(&Role::JointMember) && a.member.is_none() {
        return Err(CliError::new(
            ErrorCode::ConfigInvalid,
            "a member liaison needs --member N (the member's number in its unit's joint office)",
        ));
    }
    let password = read_password(a.password_stdin)?;
    let hash = hash_password(&password)?;
    let db = super::database::open(ctx)?;
    db.block_on(db.store.units().get(&a.unit))?;
    let outcome = db.block_on(db.store.users().upsert(&NewUser {
        login: a.login.clone(),
        display_name: a.name.clone(),
        unit_code: a.unit.clone(),
        roles: roles.clone(),
        joint_member: a.member,
        bank_code: a.bank.clone(),
        operator: a.operator.clone(),
        password_hash: Some(hash),
    }))?;
    db.block_on(db.store.audit().append(&NewAuditEntry {
        actor: "cli".into(),
        action: "user_saved".into(),
        target_type: "user".into(),
        target_id: Some(a.login.clone()),
        unit_code: Some(a.unit.clone()),
        detail: serde_json::json!({ "roles": roles, "bank": a.bank }),
    }))?;
    Report::new("用户 / user")
        .field("login", &a.login)
        .field("unit", &a.unit)
        .field(
            "roles",
            roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        )
        .field("created", outcome.inserted == 1)
        .print(ctx.json);
    Ok(())
}

fn read_password(from_stdin: bool) -> CliResult<String> {
    let password = if from_stdin {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .code(ErrorCode::Io)?;
        s.lines().next().unwrap_or("").to_string()
    } else {
        std::env::var("FANZHA_NEW_PASSWORD").map_err(|_| {
            CliError::new(
                ErrorCode::ConfigInvalid,
                "give the password with --password-stdin or FANZHA_NEW_PASSWORD",
            )
        })?
    };
    Ok(password)
}

fn list(ctx: &Ctx, a: ListArgs) -> CliResult {
    let db = super::database::open(ctx)?;
    let scope = match &a.unit {
        Some(u) => db.block_on(db.store.units().scope(u))?,
        None => Scope::platform(),
    };
    let mut users = Vec::new();
    let mut page = PageRequest::first(500);
    loop {
        let p = db.block_on(db.store.users().list(&scope, &page))?;
        users.extend(p.items);
        match p.next {
            Some(next) => page = PageRequest::after(next, 500),
            None => break,
        }
    }
    for u in &users {
        let roles: Vec<_> = u.roles.iter().map(|r| r.as_str()).collect();
        println!(
            "{:<20} {:<12} {:<14} {}",
            u.login,
            u.display_name,
            u.unit_code,
            roles.join(",")
        );
    }
    Report::new("用户 / users")
        .field("count", users.len())
        .print(ctx.json);
    Ok(())
}
