import ServiceCircleDomain
import Foundation

/// Opening-hours and business templates of the seed catalogues (docs/hours.md).
/// Government offices use `workday` (not mon..fri) so that 调休 make-up Saturdays count as working days.
extension SeedGenerator {
    // MARK: - Building blocks

    static func r(_ s: String, _ e: String) -> TimeRange { TimeRange(s, e) }
    static let morning = r("08:30", "12:00")
    static let afternoon = r("13:30", "17:30")
    static let allDay = r("00:00", "24:00")

    /// The "常规业务" that extended evening, Saturday or 24-hour service is limited to where it is limited.
    static let routineBusinesses: [BusinessCode] = [
        .licenseRenewal, .licenseReplacement, .permitReplacement, .plateReplacement,
        .violationHandling, .finePayment,
    ]

    public enum HoursTemplate: String, CaseIterable, Sendable {
        /// 工作日 08:30–12:00, 13:30–17:30.
        case office
        /// 午间延时: 工作日 08:30–17:30 without a lunch break.
        case officeNoon
        /// Office hours plus a Saturday morning for routine business only.
        case officeSaturdayRoutine
        /// 午间延时 plus a Saturday morning for routine business only (Wuhan's main office).
        case officeNoonSaturdayRoutine
        /// Full business on workdays and weekends (Yanggu: 周六周日正常办业务, all business).
        case officeAllWeek
        /// Guiyang's hall: 工作日 08:30–17:30 all business, 延时 17:30–20:00 routine business,
        /// 双休日加时 09:00–17:00 all business, 节假日加时 09:00–17:00 routine business.
        case hallExtended
        /// 政务服务中心: workdays 09:00–17:00, Saturday morning.
        case governmentWindow
        /// 派出所/公安服务中心综合窗口: 工作日 08:30–12:00, 14:00–17:30.
        case policeWindow
        /// 派出所 window also open Saturday morning.
        case policeWindowSaturday
        /// 警邮: 工作日 08:30–17:00.
        case policePost
        /// 警邮 in a post office open weekends: 工作日 08:30–17:30, 双休日 09:00–16:00.
        case policePostWeekend
        /// 警邮 with a lunch break: 工作日 08:30–11:30, 14:00–17:00.
        case policePostLunch
        /// 检测站: 工作日 08:00–12:00, 13:00–17:30; Saturday 08:30–12:00, 13:00–16:30.
        case inspection
        /// 双休日不休息: 工作日 08:00–17:30, 双休日 08:30–17:00.
        case inspectionWeekend
        /// 双休日不休息, 节假日不打烊: as `inspectionWeekend` plus holidays 09:00–16:00.
        case inspectionAllYear
        /// 上牌点: 工作日 09:00–12:00, 14:00–17:30; Saturday 09:00–12:00, 14:00–17:00.
        case ebike
        /// 上牌点 at a dealer open weekends: 工作日 09:00–17:30, 双休日 09:00–17:00.
        case ebikeWeekend
        /// 上牌点 at a dealer open every day incl. holidays: daily 09:00–18:00.
        case ebikeDaily
        /// 7×24 self-service for every business it offers (全年不打烊).
        case selfService24
        /// 24 hours only for licence renewal and replacement; full service 08:30–17:30 on workdays.
        case selfService24Renewal
        /// Kiosk in a mall: daily 10:00–22:00.
        case kioskMall
        /// Kiosk in a community centre: daily 08:00–20:00.
        case kioskCommunity
        /// Kiosk in a service hall: workdays 08:30–17:30, weekends 09:00–17:00.
        case kioskHall
        /// 体检点: 工作日 08:00–11:30, 14:00–17:00.
        case clinic
        /// 体检点 also open Saturday morning.
        case clinicSaturday
        /// 考场: 工作日 08:00–12:00, 13:30–17:30.
        case exam
        /// 考场 with weekend exam plans (Wuhan: 周末在全市各考场投放考试计划).
        case examWeekend
        /// 考场 open every Saturday (Guangping: 每周六有一家全科目考场开办业务).
        case examSaturday
        /// 机动车登记服务站 at a dealer: 工作日 09:00–17:00, 双休日 09:00–16:30.
        case registration
        /// 流动车管所: Tuesday and Thursday 09:00–11:30, 14:00–16:30 (rounds of communities).
        case mobile

        public var hours: Hours {
            switch self {
            case .office:
                return Hours(rules: [HoursRule(days: [.workday], intervals: [morning, afternoon])])
            case .officeNoon:
                return Hours(rules: [HoursRule(days: [.workday], intervals: [r("08:30", "17:30")])])
            case .officeSaturdayRoutine:
                return Hours(rules: [
                    HoursRule(days: [.workday], intervals: [morning, afternoon]),
                    HoursRule(days: [.sat], intervals: [r("09:00", "12:00")], businesses: routineBusinesses),
                ])
            case .officeNoonSaturdayRoutine:
                return Hours(rules: [
                    HoursRule(days: [.workday], intervals: [r("08:30", "17:30")]),
                    HoursRule(days: [.sat], intervals: [r("09:00", "12:00")], businesses: routineBusinesses),
                ])
            case .officeAllWeek:
                return Hours(rules: [
                    HoursRule(days: [.workday], intervals: [r("08:30", "12:00"), r("13:00", "17:30")]),
                    HoursRule(days: [.restday], intervals: [r("09:00", "12:00"), r("13:30", "17:00")]),
                ])
            case .hallExtended:
                return Hours(rules: [
                    HoursRule(days: [.workday], intervals: [r("08:30", "17:30")]),
                    HoursRule(days: [.workday], intervals: [r("17:30", "20:00")], businesses: routineBusinesses),
                    HoursRule(days: [.restday], intervals: [r("09:00", "17:00")]),
                    HoursRule(days: [.holiday], intervals: [r("09:00", "17:00")], businesses: routineBusinesses),
                ])
            case .governmentWindow:
                return Hours(rules: [
                    HoursRule(days: [.workday], intervals: [r("09:00", "12:00"), r("13:00", "17:00")]),
                    HoursRule(days: [.sat], intervals: [r("09:00", "12:00")]),
                ])
            case .policeWindow:
                return Hours(rules: [HoursRule(days: [.workday], intervals: [morning, r("14:00", "17:30")])])
            case .policeWindowSaturday:
                return Hours(rules: [
                    HoursRule(days: [.workday], intervals: [morning, r("14:00", "17:30")]),
                    HoursRule(days: [.sat], intervals: [r("09:00", "12:00")]),
                ])
            case .policePost:
                return Hours(rules: [HoursRule(days: [.workday], intervals: [r("08:30", "17:00")])])
            case .policePostWeekend:
                return Hours(rules: [
                    HoursRule(days: [.workday], intervals: [r("08:30", "17:30")]),
                    HoursRule(days: [.restday], intervals: [r("09:00", "16:00")]),
                ])
            case .policePostLunch:
                return Hours(rules: [HoursRule(days: [.workday], intervals: [r("08:30", "11:30"), r("14:00", "17:00")])])
            case .inspection:
                return Hours(rules: [
                    HoursRule(days: [.workday], intervals: [r("08:00", "12:00"), r("13:00", "17:30")]),
                    HoursRule(days: [.sat], intervals: [r("08:30", "12:00"), r("13:00", "16:30")]),
                ])
            case .inspectionWeekend:
                return Hours(rules: [
                    HoursRule(days: [.workday], intervals: [r("08:00", "17:30")]),
                    HoursRule(days: [.restday], intervals: [r("08:30", "17:00")]),
                ])
            case .inspectionAllYear:
                return Hours(rules: [
                    HoursRule(days: [.workday], intervals: [r("08:00", "17:30")]),
                    HoursRule(days: [.restday], intervals: [r("08:30", "17:00")]),
                    HoursRule(days: [.holiday], intervals: [r("09:00", "16:00")]),
                ])
            case .ebike:
                return Hours(rules: [
                    HoursRule(days: [.workday], intervals: [r("09:00", "12:00"), r("14:00", "17:30")]),
                    HoursRule(days: [.sat], intervals: [r("09:00", "12:00"), r("14:00", "17:00")]),
                ])
            case .ebikeWeekend:
                return Hours(rules: [
                    HoursRule(days: [.workday], intervals: [r("09:00", "17:30")]),
                    HoursRule(days: [.restday], intervals: [r("09:00", "17:00")]),
                ])
            case .ebikeDaily:
                return Hours(rules: [HoursRule(days: [.daily], intervals: [r("09:00", "18:00")])])
            case .selfService24:
                return Hours(rules: [HoursRule(days: [.daily], intervals: [allDay])])
            case .selfService24Renewal:
                // On workdays only `workday` rules apply, so the night hours for renewal are repeated there.
                let quick: [BusinessCode] = [.licenseRenewal, .licenseReplacement]
                return Hours(rules: [
                    HoursRule(days: [.daily], intervals: [allDay], businesses: quick),
                    HoursRule(days: [.workday], intervals: [r("08:30", "17:30")]),
                    HoursRule(days: [.workday], intervals: [r("00:00", "08:30"), r("17:30", "24:00")], businesses: quick),
                ])
            case .kioskMall:
                return Hours(rules: [HoursRule(days: [.daily], intervals: [r("10:00", "22:00")])])
            case .kioskCommunity:
                return Hours(rules: [HoursRule(days: [.daily], intervals: [r("08:00", "20:00")])])
            case .kioskHall:
                return Hours(rules: [
                    HoursRule(days: [.workday], intervals: [r("08:30", "17:30")]),
                    HoursRule(days: [.restday], intervals: [r("09:00", "17:00")]),
                ])
            case .clinic:
                return Hours(rules: [HoursRule(days: [.workday], intervals: [r("08:00", "11:30"), r("14:00", "17:00")])])
            case .clinicSaturday:
                return Hours(rules: [
                    HoursRule(days: [.workday], intervals: [r("08:00", "11:30"), r("14:00", "17:00")]),
                    HoursRule(days: [.sat], intervals: [r("08:00", "11:30")]),
                ])
            case .exam:
                return Hours(rules: [HoursRule(days: [.workday], intervals: [r("08:00", "12:00"), afternoon])])
            case .examWeekend:
                return Hours(rules: [
                    HoursRule(days: [.workday], intervals: [r("08:00", "12:00"), afternoon]),
                    HoursRule(days: [.restday], intervals: [r("08:00", "12:00"), r("13:30", "17:00")]),
                ])
            case .examSaturday:
                return Hours(rules: [
                    HoursRule(days: [.workday], intervals: [r("08:00", "12:00"), afternoon]),
                    HoursRule(days: [.sat], intervals: [r("08:00", "12:00"), afternoon]),
                ])
            case .registration:
                return Hours(rules: [
                    HoursRule(days: [.workday], intervals: [r("09:00", "17:00")]),
                    HoursRule(days: [.restday], intervals: [r("09:00", "16:30")]),
                ])
            case .mobile:
                return Hours(rules: [HoursRule(days: [.tue, .thu], intervals: [r("09:00", "11:30"), r("14:00", "16:30")])])
            }
        }
    }

    /// The one-day system upgrade seeded on one office (exception with no intervals = closed).
    static let systemUpgrade = HoursException(
        from: LocalDate(year: 2026, month: 12, day: 1)!, to: LocalDate(year: 2026, month: 12, day: 1)!,
        intervals: [], note: "系统升级暂停办理")

    // MARK: - Businesses per kind

    static let vehicleCore: [BusinessCode] = [
        .vehicleRegistration, .vehicleTransfer, .vehicleChange, .vehicleMortgage, .vehicleDeregistration,
        .vehicleTransferIn, .plateReplacement, .permitReplacement, .certificateReplacement, .temporaryPlate,
    ]

    /// Typical businesses of an outlet kind; `variant` picks among realistic alternatives.
    static func businesses(for kind: OutletKind, variant: Int = 0) -> [BusinessCode] {
        let list: [BusinessCode]
        switch kind {
        case .vehicleAdminOffice:
            list = vehicleCore + [.inspectionSticker, .licenseApplication, .examSubject1, .examSubject4,
                                  .licenseRenewal, .licenseReplacement, .licenseTransferIn, .militaryLicenseExchange,
                                  .licenseReview, .medicalCertificateSubmission, .violationHandling, .finePayment,
                                  .documentPhoto]
        case .branchOffice:
            list = vehicleCore + [.inspectionSticker, .licenseRenewal, .licenseReplacement, .licenseTransferIn,
                                  .licenseReview, .medicalCertificateSubmission, .violationHandling, .finePayment]
        case .selfServiceOffice:
            list = [.permitReplacement, .inspectionSticker, .licenseRenewal, .licenseReplacement,
                    .medicalCertificateSubmission, .medicalCheck, .violationHandling, .finePayment, .documentPhoto]
        case .selfServiceKiosk:
            list = variant % 2 == 0
                ? [.permitReplacement, .inspectionSticker, .licenseRenewal, .licenseReplacement, .violationHandling, .finePayment]
                : [.inspectionSticker, .violationHandling, .finePayment]
        case .policePostPoint:
            list = variant % 3 == 2
                ? [.plateReplacement, .permitReplacement, .inspectionSticker, .licenseRenewal, .licenseReplacement,
                   .violationHandling, .finePayment]
                : [.plateReplacement, .permitReplacement, .certificateReplacement, .inspectionSticker, .licenseRenewal,
                   .licenseReplacement, .licenseReview, .medicalCertificateSubmission, .violationHandling, .finePayment]
        case .policeStationWindow:
            list = [.vehicleChange, .vehicleMortgage, .plateReplacement, .permitReplacement, .certificateReplacement,
                    .inspectionSticker, .licenseRenewal, .licenseReplacement, .licenseReview,
                    .medicalCertificateSubmission, .ebikeRegistration, .violationHandling, .finePayment]
        case .governmentServiceWindow:
            list = [.vehicleRegistration, .vehicleTransfer, .vehicleChange, .vehicleMortgage, .plateReplacement,
                    .permitReplacement, .certificateReplacement, .temporaryPlate, .inspectionSticker,
                    .licenseRenewal, .licenseReplacement, .licenseTransferIn, .licenseReview,
                    .medicalCertificateSubmission, .violationHandling, .finePayment]
        case .inspectionStation:
            list = [.vehicleInspection, .inspectionSticker]
        case .examField:
            switch variant % 3 {
            case 0: list = [.examSubject2, .examSubject3]
            case 1: list = [.examSubject1, .examSubject2, .examSubject3, .examSubject4]
            default: list = [.examSubject2, .examSubject3, .examSubject4]
            }
        case .medicalClinic:
            list = [.medicalCertificateSubmission, .medicalCheck]
        case .ebikePlatePoint:
            list = [.ebikeRegistration]
        case .registrationStation:
            list = variant % 2 == 0
                ? [.vehicleRegistration, .vehicleTransfer, .vehicleMortgage, .temporaryPlate]
                : [.vehicleRegistration, .temporaryPlate]
        case .mobileOffice:
            list = [.plateReplacement, .permitReplacement, .inspectionSticker, .licenseRenewal, .licenseReplacement,
                    .medicalCertificateSubmission, .violationHandling, .finePayment, .documentPhoto]
        }
        return list.sorted()
    }
}
