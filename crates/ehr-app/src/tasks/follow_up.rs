//! The newborn follow-up list (issue #14): a birth hospital's newborn
//! records still awaiting the birth certificate after the policy's days,
//! from the central service (never cached: it is a supervisor's working
//! list, and holds many people's particulars).

use ehr_protocol::audit::AuditAction;
use ehr_protocol::task::{ExpiringView, FollowUpRow, FollowUpView, TurningRow, TurningView};
use ehr_protocol::wire::{
    ExpiringApplicationList, NewbornFollowUpList, NotificationChannel, TurningSixteenList,
};
use ehr_protocol::{ErrorBody, ErrorCode};

use crate::App;

impl App {
    /// This counter's birth hospital's follow-up list (every hospital's at
    /// the Registration Office), oldest first. Needs the service: offline
    /// it answers the `central.*` code of why.
    pub fn newborn_follow_up(&self) -> Result<FollowUpView, ErrorBody> {
        let list: NewbornFollowUpList = self.follow_up_get("follow-up/newborns")?;
        Ok(view(&list))
    }

    /// A supervisor's list: pending applications expiring within 30 days,
    /// not activated, soonest first. Needs the service (and a supervisor:
    /// `auth.forbidden` otherwise).
    pub fn follow_up_expiring(&self) -> Result<ExpiringView, ErrorBody> {
        let list: ExpiringApplicationList =
            self.follow_up_get("follow-up/expiring-applications")?;
        let data = self.judge_data();
        let judge = data.judge();
        Ok(ExpiringView {
            within_days: list.within_days,
            items: list
                .items
                .iter()
                .map(|a| super::machine::application_row(a, &judge))
                .collect(),
        })
    }

    /// A supervisor's list: records an SDM keeps for children who turn 16
    /// within 60 days (the record must move to them), soonest first.
    pub fn follow_up_turning_16(&self) -> Result<TurningView, ErrorBody> {
        let list: TurningSixteenList = self.follow_up_get("follow-up/turning-16")?;
        let data = self.judge_data();
        let judge = data.judge();
        Ok(TurningView {
            within_days: list.within_days,
            items: list
                .items
                .iter()
                .map(|t| TurningRow {
                    record: super::machine::record_row(&t.record, &judge),
                    turns_16_on: hk_day(&t.turns_16_on),
                    days_left: t.days_left,
                })
                .collect(),
        })
    }

    pub(crate) fn follow_up_get<T>(&self, path: &str) -> Result<T, ErrorBody>
    where
        T: serde::de::DeserializeOwned + Send + 'static,
    {
        self.task_session()?;
        let token = self.online_token()?;
        let Some(central) = self.config.central()? else {
            return Err(ErrorBody::new(ErrorCode::CentralNotConfigured));
        };
        let list = crate::central::get_json(&self.config, &central.base, &token, path)
            .map_err(|e| self.seen_from_service(e))?;
        self.record_audit(AuditAction::Lookup, Some(path))?;
        Ok(list)
    }
}

fn hk_day(iso: &str) -> String {
    match ehr_domain::Date::parse(iso) {
        Ok(d) => d.to_hk_string(),
        Err(_) => iso.to_owned(),
    }
}

/// The list as the screen, the printed list and `ehrctl` show it.
pub(crate) fn view(list: &NewbornFollowUpList) -> FollowUpView {
    let day = hk_day;
    FollowUpView {
        days: list.days,
        hospital_code: list.hospital_code.clone(),
        items: list
            .items
            .iter()
            .map(|i| FollowUpRow {
                ehr_number: i.ehr_number.clone(),
                hospital_code: i.hospital_code.clone(),
                serial: i.serial.clone(),
                registered_on: day(&i.registered_on),
                date_of_birth: day(&i.date_of_birth),
                days_waiting: i.days_waiting,
                name_en: if i.given_names.is_empty() {
                    i.surname.clone()
                } else {
                    format!("{}, {}", i.surname, i.given_names)
                },
                chinese_name: i.chinese_name.clone(),
                parent_document_masked: i.parent_document_masked.clone().unwrap_or_default(),
                contact_channel: match i.contact.as_ref().map(|c| c.channel) {
                    Some(NotificationChannel::Sms) => "sms",
                    Some(NotificationChannel::Email) => "email",
                    Some(NotificationChannel::Post) => "post",
                    None => "",
                }
                .to_owned(),
                contact_masked: i
                    .contact
                    .as_ref()
                    .map(|c| c.address_masked.clone())
                    .unwrap_or_default(),
            })
            .collect(),
    }
}
