// Drives Tally's floating calls with LicenseSpring's Node SDK (LicenseAPI, the low-level client that maps one method
// to one endpoint). The SDK signs every request and verifies LicenseSignature on every answer it reads (check_license,
// check_license_feature, floating/borrow, floating/feature_borrow) with the given public key. Prints one JSON line per
// call; exits non-zero on the first failure.
const { LicenseAPI } = require('@licensespring/node-sdk');

const [gateway, apiKey, sharedKey, publicKeyFile, product, licenseKey, hardwareId, otherHardwareId, feature] =
  process.argv.slice(2);
const api = new LicenseAPI({
  apiKey,
  sharedKey,
  apiPath: `${gateway}/api/v4`,
  publicKey: require('fs').readFileSync(publicKeyFile, 'utf8'),
  appName: 'tally-compat',
  appVersion: '1.0.0',
});
const identity = { product, license_key: licenseKey, hardware_id: hardwareId };
const other = { product, license_key: licenseKey, hardware_id: otherHardwareId };

async function step(name, call) {
  try {
    const result = await call();
    console.log(JSON.stringify({ step: name, ok: true, result }));
  } catch (error) {
    console.log(JSON.stringify({ step: name, ok: false, error }));
    process.exit(1);
  }
}

async function refused(name, call) {
  try {
    const result = await call();
    console.log(JSON.stringify({ step: name, ok: false, error: 'expected a refusal', result }));
    process.exit(1);
  } catch (error) {
    console.log(JSON.stringify({ step: name, ok: true, error }));
  }
}

(async () => {
  await step('activateLicense', () => api.activateLicense({ ...identity, hostname: 'sdk-host' }));
  await step('activateOther', () => api.activateLicense({ ...other, hostname: 'sdk-other' }));
  await step('checkLicense', () => api.checkLicense(identity));
  await refused('checkLicenseWithoutSeat', () => api.checkLicense(other));
  await step('floatingBorrow', () => api.floatingBorrow({ ...identity, borrowed_until: null }));
  await step('floatingRelease', () => api.floatingRelease(identity));
  await step('checkLicenseOther', () => api.checkLicense(other));
  await step('checkLicenseFeature', () => api.checkLicenseFeature({ ...identity, feature }));
  await refused('checkLicenseFeatureWithoutSeat', () => api.checkLicenseFeature({ ...other, feature }));
  await step('featureRelease', () => api.featureRelease({ ...identity, feature }));
  await step('featureBorrow', () => api.featureBorrow({ ...other, feature, borrowed_until: null }));
})();
