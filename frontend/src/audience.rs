//! Who is asking, from the knowledge base's first question (`role`): the page fits its
//! questions, fixes and next steps to what that person can do.

use rdp_doctor_core::engine::Answers;
use rdp_doctor_core::kb::model::Who;

/// The `role` question's id in `kb/questions.toml`.
pub const ROLE_QUESTION: &str = "role";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Trying to connect: gets the checks they can do and a hand-over for IT.
    EndUser,
    /// Manages the server or its network: gets the commands.
    ServerAdmin,
    /// Helping someone else: gets the form for a link to send them.
    Helpdesk,
}

impl Audience {
    /// The role answered, if any; "I don't know" has no option, so an answer is always one of
    /// the three.
    pub fn of(answers: &Answers) -> Option<Audience> {
        match answers.get(ROLE_QUESTION)?.as_str() {
            "end_user" => Some(Audience::EndUser),
            "server_admin" => Some(Audience::ServerAdmin),
            "helpdesk" => Some(Audience::Helpdesk),
            _ => None,
        }
    }

    /// Whether this person can carry out a fix meant for `who` themselves. Without a role the
    /// page assumes nothing and shows everything, folded.
    pub fn can_do(audience: Option<Audience>, who: &[Who]) -> bool {
        match audience {
            Some(Audience::EndUser) => who.contains(&Who::EndUser),
            Some(Audience::ServerAdmin | Audience::Helpdesk) | None => true,
        }
    }
}
