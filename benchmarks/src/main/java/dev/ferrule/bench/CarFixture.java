package dev.ferrule.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferrule.bench.protobuf.Car;
import dev.ferrule.proto.Arena;
import dev.ferrule.proto.MessageBuilder;
import dev.ferrule.proto.MessageReader;
import dev.ferrule.proto.ProtoCodec;
import dev.ferrule.proto.Utf8View;
import dev.ferrule.schema.FieldInfo;
import java.nio.ByteBuffer;
import us.hebi.quickbuf.RepeatedInt;
import us.hebi.quickbuf.RepeatedMessage;

/**
 * (b) A mixed message modelled on SBE's Car: scalars, an enum, a packed repeated field, strings, a
 * nested message, and repeated messages with nested repeated messages; 137 bytes on the wire.
 */
final class CarFixture extends Fixture<Car, dev.ferrule.bench.quickbuf.Car> {
    private static final long SERIAL = 1234;
    private static final int YEAR = 2013;
    private static final int[] NUMBERS = {1, 2, 3, 4, 5};
    private static final String VEHICLE_CODE = "abcdefghijklmnopq";
    private static final int CAPACITY = 2000;
    private static final int CYLINDERS = 4;
    private static final String ENGINE_MAKER = "123";
    private static final int[] SPEEDS = {30, 55, 75};
    private static final float[] MPG = {35.9f, 49.0f, 40.0f};
    private static final int[] OCTANES = {95, 99};
    private static final int[] MPH = {30, 60};
    private static final float[][] SECONDS = {{4.0f, 7.5f}, {3.8f, 7.1f}};
    private static final String MANUFACTURER = "Honda";
    private static final String MODEL = "Civic VTi";

    private final FieldInfo serial = type.field("serial_number");
    private final FieldInfo year = type.field("model_year");
    private final FieldInfo available = type.field("available");
    private final FieldInfo code = type.field("code");
    private final FieldInfo numbers = type.field("some_numbers");
    private final FieldInfo vehicleCode = type.field("vehicle_code");
    private final FieldInfo engine = type.field("engine");
    private final FieldInfo capacity = engine.messageType().field("capacity");
    private final FieldInfo cylinders = engine.messageType().field("num_cylinders");
    private final FieldInfo engineMaker = engine.messageType().field("manufacturer_code");
    private final FieldInfo fuel = type.field("fuel_figures");
    private final FieldInfo speed = fuel.messageType().field("speed");
    private final FieldInfo mpg = fuel.messageType().field("mpg");
    private final FieldInfo performance = type.field("performance_figures");
    private final FieldInfo octane = performance.messageType().field("octane_rating");
    private final FieldInfo acceleration = performance.messageType().field("acceleration");
    private final FieldInfo mph = acceleration.messageType().field("mph");
    private final FieldInfo seconds = acceleration.messageType().field("seconds");
    private final FieldInfo manufacturer = type.field("manufacturer");
    private final FieldInfo model = type.field("model");

    private final MessageReader child = new MessageReader();
    private final MessageReader grandchild = new MessageReader();
    private final MessageBuilder childBuilder = new MessageBuilder();
    private final MessageBuilder grandchildBuilder = new MessageBuilder();
    private final Utf8View text = new Utf8View();

    private final dev.ferrule.bench.protobuf.ferrule.Car typed = new dev.ferrule.bench.protobuf.ferrule.Car();
    private final dev.ferrule.bench.protobuf.ferrule.Car.Engine typedEngine = new dev.ferrule.bench.protobuf.ferrule.Car.Engine();
    private final dev.ferrule.bench.protobuf.ferrule.Car.FuelFigures typedFuel =
            new dev.ferrule.bench.protobuf.ferrule.Car.FuelFigures();
    private final dev.ferrule.bench.protobuf.ferrule.Car.PerformanceFigures typedPerformance =
            new dev.ferrule.bench.protobuf.ferrule.Car.PerformanceFigures();
    private final dev.ferrule.bench.protobuf.ferrule.Car.Acceleration typedAcceleration =
            new dev.ferrule.bench.protobuf.ferrule.Car.Acceleration();
    private final dev.ferrule.bench.protobuf.ferrule.Car.Builder typedBuilder = new dev.ferrule.bench.protobuf.ferrule.Car.Builder();
    private final dev.ferrule.bench.protobuf.ferrule.Car.Engine.Builder engineBuilder =
            new dev.ferrule.bench.protobuf.ferrule.Car.Engine.Builder();
    private final dev.ferrule.bench.protobuf.ferrule.Car.FuelFigures.Builder fuelBuilder =
            new dev.ferrule.bench.protobuf.ferrule.Car.FuelFigures.Builder();
    private final dev.ferrule.bench.protobuf.ferrule.Car.PerformanceFigures.Builder performanceBuilder =
            new dev.ferrule.bench.protobuf.ferrule.Car.PerformanceFigures.Builder();
    private final dev.ferrule.bench.protobuf.ferrule.Car.Acceleration.Builder accelerationBuilder =
            new dev.ferrule.bench.protobuf.ferrule.Car.Acceleration.Builder();

    CarFixture() {
        super(dev.ferrule.bench.protobuf.ferrule.Car.TYPE);
    }

    @Override
    Car sample() {
        return buildProtobuf();
    }

    @Override
    long decodeTyped(ProtoCodec codec, ByteBuffer input, Arena arena) {
        return readTyped(typed.decode(codec, input, arena));
    }

    @Override
    long readTyped(MessageReader message) {
        return readTyped(typed.wrap(message));
    }

    private long readTyped(dev.ferrule.bench.protobuf.ferrule.Car m) {
        long h = m.serialNumber();
        h = mix(h, m.modelYear());
        h = mix(h, m.available() ? 1 : 0);
        h = mix(h, m.code());
        for (int i = 0, n = m.someNumbersCount(); i < n; i++) {
            h = mix(h, m.someNumbers(i));
        }
        h = mix(h, m.vehicleCode(text).byteLength());
        dev.ferrule.bench.protobuf.ferrule.Car.Engine e = m.engine(typedEngine);
        h = mix(h, e.capacity());
        h = mix(h, e.numCylinders());
        h = mix(h, e.manufacturerCode(text).byteLength());
        for (int i = 0, n = m.fuelFiguresCount(); i < n; i++) {
            dev.ferrule.bench.protobuf.ferrule.Car.FuelFigures f = m.fuelFigures(i, typedFuel);
            h = mix(h, f.speed());
            h = mix(h, f.mpg());
        }
        for (int i = 0, n = m.performanceFiguresCount(); i < n; i++) {
            dev.ferrule.bench.protobuf.ferrule.Car.PerformanceFigures p = m.performanceFigures(i, typedPerformance);
            h = mix(h, p.octaneRating());
            for (int j = 0, k = p.accelerationCount(); j < k; j++) {
                dev.ferrule.bench.protobuf.ferrule.Car.Acceleration a = p.acceleration(j, typedAcceleration);
                h = mix(h, a.mph());
                h = mix(h, a.seconds());
            }
        }
        h = mix(h, m.manufacturer(text).byteLength());
        return mix(h, m.model(text).byteLength());
    }

    @Override
    int encodeTyped(ProtoCodec codec, Arena arena, ByteBuffer output) {
        dev.ferrule.bench.protobuf.ferrule.Car.Builder m = typedBuilder.start(codec, arena).setSerialNumber(SERIAL)
                .setModelYear(YEAR).setAvailable(true).setCode(Car.Model.A_VALUE);
        for (int n : NUMBERS) {
            m.addSomeNumbers(n);
        }
        m.setVehicleCode(VEHICLE_CODE);
        m.mutableEngine(engineBuilder).setCapacity(CAPACITY).setNumCylinders(CYLINDERS).setManufacturerCode(ENGINE_MAKER);
        for (int i = 0; i < SPEEDS.length; i++) {
            m.addFuelFigures(fuelBuilder).setSpeed(SPEEDS[i]).setMpg(MPG[i]);
        }
        for (int i = 0; i < OCTANES.length; i++) {
            m.addPerformanceFigures(performanceBuilder).setOctaneRating(OCTANES[i]);
            for (int j = 0; j < MPH.length; j++) {
                performanceBuilder.addAcceleration(accelerationBuilder).setMph(MPH[j]).setSeconds(SECONDS[i][j]);
            }
        }
        return m.setManufacturer(MANUFACTURER).setModel(MODEL).encode(codec, output);
    }

    @Override
    long read(MessageReader m) {
        long h = m.getLong(serial);
        h = mix(h, m.getInt(year));
        h = mix(h, m.getBool(available) ? 1 : 0);
        h = mix(h, m.getInt(code));
        for (int i = 0, n = m.count(numbers); i < n; i++) {
            h = mix(h, m.getInt(numbers, i));
        }
        h = mix(h, m.getString(vehicleCode, text).byteLength());
        m.getMessage(engine, child);
        h = mix(h, child.getInt(capacity));
        h = mix(h, child.getInt(cylinders));
        h = mix(h, child.getString(engineMaker, text).byteLength());
        for (int i = 0, n = m.count(fuel); i < n; i++) {
            m.getMessage(fuel, i, child);
            h = mix(h, child.getInt(speed));
            h = mix(h, child.getFloat(mpg));
        }
        for (int i = 0, n = m.count(performance); i < n; i++) {
            m.getMessage(performance, i, child);
            h = mix(h, child.getInt(octane));
            for (int j = 0, k = child.count(acceleration); j < k; j++) {
                child.getMessage(acceleration, j, grandchild);
                h = mix(h, grandchild.getInt(mph));
                h = mix(h, grandchild.getFloat(seconds));
            }
        }
        h = mix(h, m.getString(manufacturer, text).byteLength());
        return mix(h, m.getString(model, text).byteLength());
    }

    @Override
    void build(ProtoCodec codec, MessageBuilder m) {
        m.setLong(serial, SERIAL).setInt(year, YEAR).setBool(available, true).setInt(code, Car.Model.A_VALUE);
        for (int n : NUMBERS) {
            m.addInt(numbers, n);
        }
        m.setString(vehicleCode, VEHICLE_CODE);
        m.mutableMessage(engine, childBuilder).setInt(capacity, CAPACITY).setInt(cylinders, CYLINDERS)
                .setString(engineMaker, ENGINE_MAKER);
        for (int i = 0; i < SPEEDS.length; i++) {
            m.addMessage(fuel, childBuilder).setInt(speed, SPEEDS[i]).setFloat(mpg, MPG[i]);
        }
        for (int i = 0; i < OCTANES.length; i++) {
            m.addMessage(performance, childBuilder).setInt(octane, OCTANES[i]);
            for (int j = 0; j < MPH.length; j++) {
                childBuilder.addMessage(acceleration, grandchildBuilder).setInt(mph, MPH[j]).setFloat(seconds, SECONDS[i][j]);
            }
        }
        m.setString(manufacturer, MANUFACTURER).setString(model, MODEL);
    }

    @Override
    Car parseProtobuf(byte[] wire, int offset, int length) throws InvalidProtocolBufferException {
        return Car.parser().parseFrom(wire, offset, length);
    }

    @Override
    long readProtobuf(Car m) {
        long h = m.getSerialNumber();
        h = mix(h, m.getModelYear());
        h = mix(h, m.getAvailable() ? 1 : 0);
        h = mix(h, m.getCodeValue());
        for (int i = 0, n = m.getSomeNumbersCount(); i < n; i++) {
            h = mix(h, m.getSomeNumbers(i));
        }
        h = mix(h, m.getVehicleCodeBytes().size());
        Car.Engine e = m.getEngine();
        h = mix(h, e.getCapacity());
        h = mix(h, e.getNumCylinders());
        h = mix(h, e.getManufacturerCodeBytes().size());
        for (int i = 0, n = m.getFuelFiguresCount(); i < n; i++) {
            Car.FuelFigures f = m.getFuelFigures(i);
            h = mix(h, f.getSpeed());
            h = mix(h, f.getMpg());
        }
        for (int i = 0, n = m.getPerformanceFiguresCount(); i < n; i++) {
            Car.PerformanceFigures p = m.getPerformanceFigures(i);
            h = mix(h, p.getOctaneRating());
            for (int j = 0, k = p.getAccelerationCount(); j < k; j++) {
                Car.Acceleration a = p.getAcceleration(j);
                h = mix(h, a.getMph());
                h = mix(h, a.getSeconds());
            }
        }
        h = mix(h, m.getManufacturerBytes().size());
        return mix(h, m.getModelBytes().size());
    }

    @Override
    Car buildProtobuf() {
        Car.Builder car = Car.newBuilder().setSerialNumber(SERIAL).setModelYear(YEAR).setAvailable(true)
                .setCode(Car.Model.A).setVehicleCode(VEHICLE_CODE)
                .setEngine(Car.Engine.newBuilder().setCapacity(CAPACITY).setNumCylinders(CYLINDERS)
                        .setManufacturerCode(ENGINE_MAKER));
        for (int n : NUMBERS) {
            car.addSomeNumbers(n);
        }
        for (int i = 0; i < SPEEDS.length; i++) {
            car.addFuelFigures(Car.FuelFigures.newBuilder().setSpeed(SPEEDS[i]).setMpg(MPG[i]));
        }
        for (int i = 0; i < OCTANES.length; i++) {
            Car.PerformanceFigures.Builder p = Car.PerformanceFigures.newBuilder().setOctaneRating(OCTANES[i]);
            for (int j = 0; j < MPH.length; j++) {
                p.addAcceleration(Car.Acceleration.newBuilder().setMph(MPH[j]).setSeconds(SECONDS[i][j]));
            }
            car.addPerformanceFigures(p);
        }
        return car.setManufacturer(MANUFACTURER).setModel(MODEL).build();
    }

    @Override
    dev.ferrule.bench.quickbuf.Car newQuickbuf() {
        return dev.ferrule.bench.quickbuf.Car.newInstance();
    }

    @Override
    long readQuickbuf(dev.ferrule.bench.quickbuf.Car m) {
        long h = m.getSerialNumber();
        h = mix(h, m.getModelYear());
        h = mix(h, m.getAvailable() ? 1 : 0);
        h = mix(h, m.getCodeValue());
        RepeatedInt someNumbers = m.getSomeNumbers();
        for (int i = 0, n = someNumbers.length(); i < n; i++) {
            h = mix(h, someNumbers.get(i));
        }
        h = mix(h, m.getVehicleCodeBytes().size());
        dev.ferrule.bench.quickbuf.Car.Engine e = m.getEngine();
        h = mix(h, e.getCapacity());
        h = mix(h, e.getNumCylinders());
        h = mix(h, e.getManufacturerCodeBytes().size());
        RepeatedMessage<dev.ferrule.bench.quickbuf.Car.FuelFigures> fuels = m.getFuelFigures();
        for (int i = 0, n = fuels.length(); i < n; i++) {
            dev.ferrule.bench.quickbuf.Car.FuelFigures f = fuels.get(i);
            h = mix(h, f.getSpeed());
            h = mix(h, f.getMpg());
        }
        RepeatedMessage<dev.ferrule.bench.quickbuf.Car.PerformanceFigures> perfs = m.getPerformanceFigures();
        for (int i = 0, n = perfs.length(); i < n; i++) {
            dev.ferrule.bench.quickbuf.Car.PerformanceFigures p = perfs.get(i);
            h = mix(h, p.getOctaneRating());
            RepeatedMessage<dev.ferrule.bench.quickbuf.Car.Acceleration> accelerations = p.getAcceleration();
            for (int j = 0, k = accelerations.length(); j < k; j++) {
                dev.ferrule.bench.quickbuf.Car.Acceleration a = accelerations.get(j);
                h = mix(h, a.getMph());
                h = mix(h, a.getSeconds());
            }
        }
        h = mix(h, m.getManufacturerBytes().size());
        return mix(h, m.getModelBytes().size());
    }

    @Override
    void buildQuickbuf(dev.ferrule.bench.quickbuf.Car m) {
        m.setSerialNumber(SERIAL).setModelYear(YEAR).setAvailable(true).setCode(dev.ferrule.bench.quickbuf.Car.Model.A);
        for (int n : NUMBERS) {
            m.addSomeNumbers(n);
        }
        m.setVehicleCode(VEHICLE_CODE);
        m.getMutableEngine().setCapacity(CAPACITY).setNumCylinders(CYLINDERS).setManufacturerCode(ENGINE_MAKER);
        for (int i = 0; i < SPEEDS.length; i++) {
            m.getMutableFuelFigures().next().setSpeed(SPEEDS[i]).setMpg(MPG[i]);
        }
        for (int i = 0; i < OCTANES.length; i++) {
            dev.ferrule.bench.quickbuf.Car.PerformanceFigures p = m.getMutablePerformanceFigures().next()
                    .setOctaneRating(OCTANES[i]);
            for (int j = 0; j < MPH.length; j++) {
                p.getMutableAcceleration().next().setMph(MPH[j]).setSeconds(SECONDS[i][j]);
            }
        }
        m.setManufacturer(MANUFACTURER).setModel(MODEL);
    }
}
