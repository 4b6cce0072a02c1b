//! The newborn follow-up list (issue #14): a birth hospital's newborn
//! records still awaiting the birth certificate after the policy's days,
//! from the central service (never cached: it is a supervisor's working
//! list, and holds many people's particulars).

use ehr_protocol::audit::AuditAction;
use ehr_protocol::task::{FollowUpRow, FollowUpView};
use ehr_protocol::wire::{NewbornFollowUpList, NotificationChannel};
use ehr_protocol::{ErrorBody, ErrorCode};

use crate::App;

impl App {
    /// This counter's birth hospital's follow-up list (every hospital's at
    /// the Registration Office), oldest first. Needs the service: offline
    /// it answers the `central.*` code of why.
    pub fn newborn_follow_up(&self) -> Result<FollowUpView, ErrorBody> {
        self.task_session()?;
        let token = self.online_token()?;
        let Some(central) = self.config.central()? else {
            return Err(ErrorBody::new(ErrorCode::CentralNotConfigured));
        };
        let list: NewbornFollowUpList =
            crate::central::get_json(&self.config, &central.base, &token, "follow-up/newborns")
                .map_err(|e| self.seen_from_service(e))?;
        self.record_audit(AuditAction::Lookup, Some("follow-up/newborns"))?;
        Ok(view(&list))
    }
}

/// The list as the screen, the printed list and `ehrctl` show it.
pub(crate) fn view(list: &NewbornFollowUpList) -> FollowUpView {
    let day = |iso: &str| match ehr_domain::Date::parse(iso) {
        Ok(d) => d.to_hk_string(),
        Err(_) => iso.to_owned(),
    };
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
