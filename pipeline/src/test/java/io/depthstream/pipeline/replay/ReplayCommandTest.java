package io.depthstream.pipeline.replay;

import io.depthstream.model.data.synth.DriveOptions;
import io.depthstream.model.data.synth.SyntheticDriveWriter;
import io.depthstream.pipeline.cli.DepthstreamCommand;
import io.depthstream.pipeline.embedded.EmbeddedKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayCommandTest {

    private static EmbeddedKafka kafka;
    @TempDir
    static Path synthetic;

    @BeforeAll
    static void startBrokerAndWriteDrives() throws IOException {
        kafka = EmbeddedKafka.start();
        new SyntheticDriveWriter(11, 2, new DriveOptions(3, 32, 16, false, false)).write(synthetic, (d, t) -> { });
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void replaysTheRealFixtureFoldersAsOneNamedCamera() {
        Path fixture = KittiReplayTest.kittiFixture().resolve("kitti_raw");
        Run run = run("replay", "--bootstrap", kafka.bootstrapServers(), "--data", fixture.toString(),
                "--camera-id", "front", "--rate", "max", "--topic", "cli-frames", "--partitions", "2");

        assertThat(run.exitCode).as(run.err).isZero();
        assertThat(run.out).startsWith("replayed 12 frames, ").contains("from 1 drive onto cli-frames at "
                + kafka.bootstrapServers());
        assertThat(run.err).contains("created topic cli-frames (2 partitions)")
                .contains("replay 2011_09_26/2011_09_26_drive_0000_sync image_02 (12 frames) as camera front");
        List<ConsumerRecord<byte[], byte[]>> records = TopicRecords.readAll(kafka.bootstrapServers(), "cli-frames", 12);
        assertThat(records).hasSize(12);
        assertThat(records).allMatch(r -> TopicRecords.key(r).equals("front"));
        assertThat(records.stream().map(TopicRecords::seq).toList())
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
    }

    @Test
    void chosenDrivesStreamUnderTheirFolderNames() {
        Run run = run("replay", "--bootstrap", kafka.bootstrapServers(), "--data", synthetic.toString(),
                "--drive", "2011_09_26/" + SyntheticDriveWriter.driveName(2), "--rate", "max", "--topic", "cli-chosen");

        assertThat(run.exitCode).as(run.err).isZero();
        assertThat(run.out).startsWith("replayed 3 frames, ");
        List<ConsumerRecord<byte[], byte[]>> records = TopicRecords.readAll(kafka.bootstrapServers(), "cli-chosen", 3);
        assertThat(records).hasSize(3).allMatch(r -> TopicRecords.key(r).equals(SyntheticDriveWriter.driveName(2)));
    }

    @Test
    void anUnreachableBrokerIsOneLineAndAFailure() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        Run run = run("replay", "--bootstrap", "127.0.0.1:" + closedPort, "--data", synthetic.toString(),
                "--timeout", "2");

        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.err.lines().toList())
                .containsExactly("error: cannot reach Kafka at 127.0.0.1:" + closedPort + " within 2 s");
        assertThat(run.out).isEmpty();
    }

    @Test
    void badArgumentsAreOneLineErrors() {
        Run unknownDrive = run("replay", "--bootstrap", kafka.bootstrapServers(), "--data", synthetic.toString(),
                "--drive", "2011_09_26_drive_0099_sync");
        assertThat(unknownDrive.exitCode).isEqualTo(1);
        assertThat(unknownDrive.err.lines().toList()).singleElement().asString()
                .startsWith("error: unknown drive 2011_09_26_drive_0099_sync under ")
                .endsWith("drives there: [" + SyntheticDriveWriter.driveName(1) + ", "
                        + SyntheticDriveWriter.driveName(2) + "]");

        Run missingData = run("replay", "--bootstrap", kafka.bootstrapServers(), "--data",
                synthetic.resolve("absent").toString());
        assertThat(missingData.exitCode).isEqualTo(1);
        assertThat(missingData.err.lines().toList())
                .containsExactly("error: --data " + synthetic.resolve("absent") + " does not exist");

        Run twoCameras = run("replay", "--bootstrap", kafka.bootstrapServers(), "--data", synthetic.toString(),
                "--camera-id", "front");
        assertThat(twoCameras.exitCode).isEqualTo(1);
        assertThat(twoCameras.err.lines().toList()).containsExactly("error: --camera-id names one camera, but 2 drives"
                + " would be replayed: choose one with --drive");

        Run badRate = run("replay", "--bootstrap", kafka.bootstrapServers(), "--data", synthetic.toString(),
                "--rate", "fast");
        assertThat(badRate.exitCode).isEqualTo(1);
        assertThat(badRate.err.lines().toList())
                .containsExactly("error: bad --rate 'fast': expected frames per second or max");

        Run noRightCamera = run("replay", "--bootstrap", kafka.bootstrapServers(), "--data", synthetic.toString(),
                "--side", "r");
        assertThat(noRightCamera.exitCode).isEqualTo(1);
        assertThat(noRightCamera.err.lines().toList()).singleElement().asString()
                .startsWith("error: drive 2011_09_26/" + SyntheticDriveWriter.driveName(1) + " has no image_03 frames");
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = DepthstreamCommand.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private record Run(int exitCode, String out, String err) {
    }
}
