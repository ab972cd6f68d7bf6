package dev.drpilot.agent.failsafe;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The question and the answers on the wire; anything else is no confirmation. */
class QuestionTest {
    @Test
    void aQuestionSurvivesTheWireWithAnyCharacters() {
        Question question = new Question("orders & co", "pg=1", "agent-pg-1-ab12cd34");
        assertThat(Question.decode(question.encode())).hasValue(question);
    }

    @Test
    void aQuestionWithoutClusterOrNodeIsMalformed() {
        assertThat(Question.decode("cluster=orders")).isEmpty();
        assertThat(Question.decode("node=pg-1&cluster=")).isEmpty();
        assertThat(Question.decode("")).isEmpty();
    }

    @Test
    void anythingButConfirmedOrRefusedIsNoAnswer() {
        assertThat(Confirmation.decode("confirmed streaming")).hasValue(Confirmation.confirm("streaming"));
        assertThat(Confirmation.decode("refused wrong or missing token\n")).hasValue(Confirmation.refuse("wrong or missing token"));
        assertThat(Confirmation.decode("<html>proxy error</html>")).isEmpty();
        assertThat(Confirmation.decode("Confirmed")).isEmpty();
    }
}
