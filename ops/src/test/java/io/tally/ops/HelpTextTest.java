package io.tally.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every option and parameter of every subcommand says in --help what it is for. */
class HelpTextTest {

    @Test
    void shouldDescribeEveryOptionWhenHelpIsAsked() {
        CommandLine tool = TallyOps.commandLine();
        tool.getSubcommands().forEach((name, subcommand) -> {
            subcommand
                    .getCommandSpec()
                    .options()
                    .forEach(option -> assertThat(String.join(" ", option.description()))
                            .as(name + " " + option.longestName())
                            .isNotBlank());
            subcommand
                    .getCommandSpec()
                    .positionalParameters()
                    .forEach(parameter -> assertThat(String.join(" ", parameter.description()))
                            .as(name + " " + parameter.paramLabel())
                            .isNotBlank());
        });
    }
}
