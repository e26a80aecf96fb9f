//! Step 2: who is asking, then the question that would settle the ranking fastest, the answers
//! so far, and the ranking they produce, updated on every answer.

use std::cell::Cell;
use std::rc::Rc;

use rdp_doctor_core::engine::QuestionRef;
use rdp_doctor_core::kb;
use web_sys::HtmlElement;
use yew::prelude::*;

use super::{JourneyProps, RichText};
use crate::audience::ROLE_QUESTION;
use crate::state::Action;

/// The role question comes first: the engine never picks it (it weighs no cause), and every
/// later step depends on it.
fn role_question() -> Option<QuestionRef> {
    kb::question(ROLE_QUESTION).map(QuestionRef::from)
}

#[function_component(WizardPanel)]
pub fn wizard_panel(props: &JourneyProps) -> Html {
    let journey = &props.journey;
    let diagnosis = &journey.diagnosis;
    let question = if journey.session.answers.contains_key(ROLE_QUESTION) {
        diagnosis.next_question.clone()
    } else {
        role_question()
    };
    // Set by an answer or a withdrawn answer, so focus moves to the question that follows; a
    // question that changes because evidence arrived leaves focus where the person is.
    let answered = use_mut_ref(|| Rc::new(Cell::new(false)));
    let answered = answered.borrow().clone();
    let legend = use_node_ref();
    {
        let (legend, answered) = (legend.clone(), answered.clone());
        use_effect_with(question.as_ref().map(|q| q.id.clone()), move |_| {
            if answered.replace(false) {
                focus_question(&legend);
            }
        });
    }
    html! {
        <section class="card" aria-labelledby="wizard-title">
            <h2 id="wizard-title">{ "2. A few questions" }</h2>
            if let Some(question) = &question {
                <fieldset class="question" key={question.id.clone()}>
                    <legend ref={legend.clone()} tabindex="-1"><RichText text={question.text.clone()} /></legend>
                    if let Some(help) = &question.help { <p class="muted"><RichText text={help.clone()} /></p> }
                    <div class="options">
                        { for question.options.iter().map(|option| {
                            let journey = journey.clone();
                            let answered = answered.clone();
                            let (question_id, option_id) = (question.id.clone(), option.id.clone());
                            let onclick = Callback::from(move |_| {
                                answered.set(true);
                                journey.dispatch(Action::Answered {
                                    question: question_id.clone(), option: option_id.clone() })
                            });
                            html! { <button type="button" class="secondary option" {onclick}>{ &option.label }</button> }
                        }) }
                    </div>
                </fieldset>
            } else if diagnosis.settled {
                <p tabindex="-1" ref={legend.clone()}>{ "No more questions needed: the leading cause stands out." }</p>
            } else {
                <p tabindex="-1" ref={legend.clone()}>{ "No question would narrow this down further. " }
                    if let Some(check) = &diagnosis.next_check { { "Next: " }<strong>{ &check.title }</strong>{ "." } }
                </p>
            }
            <AnswersGiven journey={journey.clone()} {answered} />
            <LeadingCauses journey={journey.clone()} />
        </section>
    }
}

fn focus_question(target: &NodeRef) {
    if let Some(element) = target.cast::<HtmlElement>() {
        let _ = element.focus();
    }
}

#[derive(Properties, PartialEq)]
struct AnswersGivenProps {
    journey: UseReducerHandle<crate::state::Journey>,
    answered: Rc<Cell<bool>>,
}

#[function_component(AnswersGiven)]
fn answers_given(props: &AnswersGivenProps) -> Html {
    let answers = &props.journey.session.answers;
    if answers.is_empty() {
        return html! {};
    }
    html! {
        <div class="answers">
            <h3>{ "Your answers" }</h3>
            <ul>
                // In the order the questions are listed, who is asking first.
                { for kb::questions().iter().filter_map(|question| {
                    let (question_id, option_id) = answers.get_key_value(&question.id)?;
                    let label = question.options.iter().find(|o| &o.id == option_id)?.label.clone();
                    let journey = props.journey.clone();
                    let answered = props.answered.clone();
                    let id = question_id.clone();
                    let onclick = Callback::from(move |_| {
                        answered.set(true);
                        journey.dispatch(Action::AnswerWithdrawn(id.clone()))
                    });
                    Some(html! {
                        <li>
                            <span class="muted"><RichText text={question.text.clone()} /></span>{ " " }<strong>{ label }</strong>{ " " }
                            <button type="button" class="link-button" aria-label={format!("Change the answer to: {}", question.text.replace('`', ""))} {onclick}>{ "Change" }</button>
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
