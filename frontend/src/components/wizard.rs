//! Step 2: the question that would settle the ranking fastest, the answers so far, and the
//! ranking they produce, updated on every answer.

use rdp_doctor_core::kb;
use yew::prelude::*;

use super::JourneyProps;
use crate::state::Action;

#[function_component(WizardPanel)]
pub fn wizard_panel(props: &JourneyProps) -> Html {
    let journey = &props.journey;
    let diagnosis = &journey.diagnosis;
    html! {
        <section class="card" aria-labelledby="wizard-title">
            <h2 id="wizard-title">{ "2. A few questions" }</h2>
            if let Some(question) = &diagnosis.next_question {
                <fieldset class="question">
                    <legend>{ &question.text }</legend>
                    if let Some(help) = &question.help { <p class="muted">{ help }</p> }
                    <div class="options">
                        { for question.options.iter().map(|option| {
                            let journey = journey.clone();
                            let (question_id, option_id) = (question.id.clone(), option.id.clone());
                            let onclick = Callback::from(move |_| journey.dispatch(Action::Answered {
                                question: question_id.clone(), option: option_id.clone() }));
                            html! { <button type="button" class="secondary option" {onclick}>{ &option.label }</button> }
                        }) }
                    </div>
                </fieldset>
            } else if diagnosis.settled {
                <p>{ "No more questions needed: the leading cause stands out." }</p>
            } else {
                <p>{ "No question would narrow this down further. " }
                    if let Some(check) = &diagnosis.next_check { { "Next: " }<strong>{ &check.title }</strong>{ "." } }
                </p>
            }
            <AnswersGiven journey={journey.clone()} />
            <LeadingCauses journey={journey.clone()} />
        </section>
    }
}

#[function_component(AnswersGiven)]
fn answers_given(props: &JourneyProps) -> Html {
    let answers = &props.journey.session.answers;
    if answers.is_empty() {
        return html! {};
    }
    html! {
        <div class="answers">
            <h3>{ "Your answers" }</h3>
            <ul>
                { for answers.iter().filter_map(|(question_id, option_id)| {
                    let question = kb::question(question_id)?;
                    let label = question.options.iter().find(|o| &o.id == option_id)?.label.clone();
                    let journey = props.journey.clone();
                    let id = question_id.clone();
                    let onclick = Callback::from(move |_| journey.dispatch(Action::AnswerWithdrawn(id.clone())));
                    Some(html! {
                        <li>
                            <span class="muted">{ &question.text }</span>{ " " }<strong>{ label }</strong>{ " " }
                            <button type="button" class="link-button" aria-label={format!("Change the answer to: {}", question.text)} {onclick}>{ "Change" }</button>
                        </li>
                    })
                }) }
            </ul>
        </div>
    }
}

/// The top of the ranking, so each answer's effect is visible right where it was given.
#[function_component(LeadingCauses)]
fn leading_causes(props: &JourneyProps) -> Html {
    let ranked = &props.journey.diagnosis.ranked;
    html! {
        <div class="leading" aria-live="polite">
            <h3 id="leading-title">{ "Leading causes now" }</h3>
            <ol aria-labelledby="leading-title">
                { for ranked.iter().take(3).map(|cause| {
                    let percent = (cause.probability * 100.0).round();
                    html! {
                        <li>
                            <span class="cause-title">{ &cause.title }</span>
                            <meter aria-hidden="true" min="0" max="100" value={percent.to_string()}></meter>
                            <span class="percent">{ format!("{percent}%") }</span>
                        </li>
                    }
                }) }
            </ol>
        </div>
    }
}
