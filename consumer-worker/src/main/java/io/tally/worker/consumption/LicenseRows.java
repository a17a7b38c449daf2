package io.tally.worker.consumption;

import io.tally.worker.db.tables.records.LicenseRecord;
import java.util.Map;

/** Maps license rows to the decision's view of a license. */
final class LicenseRows {
    private LicenseRows() {}

    static LicenseState toState(LicenseRecord row, Map<String, DeviceStatus> devices) {
        return new LicenseState(
                row.getId(),
                row.getLicenseType(),
                row.getEnabled(),
                devices,
                new ConsumptionSettings(
                        row.getMaxConsumptions(),
                        row.getTotalConsumptions(),
                        row.getAllowUnlimitedConsumptions(),
                        row.getAllowNegativeConsumptions(),
                        row.getAllowOverages(),
                        row.getMaxOverages(),
                        row.getResetConsumption(),
                        row.getConsumptionPeriod()));
    }
}
