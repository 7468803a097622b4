use crate::store::{new_id, row, Conn};

#[derive(Clone, Debug)]
pub struct StaffMember {
    pub name: String,
    pub email: String,
    pub roles: Vec<String>,
    pub second_factor: bool,
    pub disabled: bool,
}

pub async fn staff(conn: &mut Conn, org: &str) -> sqlx::Result<Vec<StaffMember>> {
    let rows = sqlx::query(
        "SELECT u.id, u.name, u.email, u.disabled, \
         CASE WHEN u.totp_secret_enc IS NULL THEN 0 ELSE 1 END AS has_totp, m.role \
         FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 ORDER BY u.name, u.id, m.role",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await?;
    let mut out: Vec<(String, StaffMember)> = Vec::new();
    for r in &rows {
        let id = row::s(r, "id")?;
        let role = row::s(r, "role")?;
        match out.last_mut() {
            Some((last, m)) if *last == id => m.roles.push(role),
            _ => out.push((
                id,
                StaffMember {
                    name: row::s(r, "name")?,
                    email: row::s(r, "email")?,
                    roles: vec![role],
                    second_factor: row::b(r, "has_totp")?,
                    disabled: row::b(r, "disabled")?,
                },
            )),
        }
    }
    Ok(out.into_iter().map(|(_, m)| m).collect())
}

pub struct NewOrg<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub kommune_code: Option<&'a str>,
}

pub async fn insert_org(conn: &mut Conn, o: NewOrg<'_>, now: i64) -> sqlx::Result<String> {
    let id = new_id();
    sqlx::query("INSERT INTO organisations (id, slug, name, kind, kommune_code, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&id)
        .bind(o.slug)
        .bind(o.name)
        .bind(o.kind)
        .bind(o.kommune_code)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}
