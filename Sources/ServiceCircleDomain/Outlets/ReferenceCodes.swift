/// The kinds of outlet in the network. Codes are a stable contract (docs/hours.md "Reference codes").
public enum OutletKind: String, CaseIterable, Codable, Sendable, Hashable {
    case vehicleAdminOffice = "vehicle_admin_office"
    case branchOffice = "branch_office"
    case selfServiceOffice = "self_service_office"
    case selfServiceKiosk = "self_service_kiosk"
    case policePostPoint = "police_post_point"
    case policeStationWindow = "police_station_window"
    case governmentServiceWindow = "government_service_window"
    case inspectionStation = "inspection_station"
    case examField = "exam_field"
    case medicalClinic = "medical_clinic"
    case ebikePlatePoint = "ebike_plate_point"
    case registrationStation = "registration_station"
    case mobileOffice = "mobile_office"

    public var nameZh: String {
        switch self {
        case .vehicleAdminOffice: "车管所"
        case .branchOffice: "车管分所"
        case .selfServiceOffice: "自助车管所"
        case .selfServiceKiosk: "自助一体机"
        case .policePostPoint: "警邮服务站"
        case .policeStationWindow: "派出所/公安服务中心窗口"
        case .governmentServiceWindow: "政务服务中心窗口"
        case .inspectionStation: "机动车检测站"
        case .examField: "驾驶人考场"
        case .medicalClinic: "驾驶人体检点"
        case .ebikePlatePoint: "电动自行车上牌点"
        case .registrationStation: "机动车登记服务站"
        case .mobileOffice: "流动车管所"
        }
    }

    public var nameEn: String {
        switch self {
        case .vehicleAdminOffice: "Vehicle administration office"
        case .branchOffice: "Branch office"
        case .selfServiceOffice: "24-hour self-service office"
        case .selfServiceKiosk: "Self-service kiosk"
        case .policePostPoint: "Police-post service point"
        case .policeStationWindow: "Police station / public-security service window"
        case .governmentServiceWindow: "Government service centre window"
        case .inspectionStation: "Motor-vehicle inspection station"
        case .examField: "Driving-test exam field"
        case .medicalClinic: "Driver medical-check clinic"
        case .ebikePlatePoint: "E-bike plate point"
        case .registrationStation: "Vehicle registration service station"
        case .mobileOffice: "Mobile office"
        }
    }
}

/// The category a business type belongs to.
public enum BusinessCategory: String, CaseIterable, Codable, Sendable {
    case vehicle, inspection, driver, ebike, violation, other
}

/// The business an outlet can do. Codes are a stable contract; new ones may be added, none renamed.
/// The case order fixes each code's bit in ``BusinessSet``: append new cases at the end.
public enum BusinessCode: String, CaseIterable, Codable, Sendable, Hashable, Comparable {
    case vehicleRegistration = "vehicle_registration"
    case vehicleTransfer = "vehicle_transfer"
    case vehicleChange = "vehicle_change"
    case vehicleMortgage = "vehicle_mortgage"
    case vehicleDeregistration = "vehicle_deregistration"
    case vehicleTransferIn = "vehicle_transfer_in"
    case plateReplacement = "plate_replacement"
    case permitReplacement = "permit_replacement"
    case certificateReplacement = "certificate_replacement"
    case temporaryPlate = "temporary_plate"
    case vehicleInspection = "vehicle_inspection"
    case inspectionSticker = "inspection_sticker"
    case licenseApplication = "license_application"
    case examSubject1 = "exam_subject1"
    case examSubject2 = "exam_subject2"
    case examSubject3 = "exam_subject3"
    case examSubject4 = "exam_subject4"
    case licenseRenewal = "license_renewal"
    case licenseReplacement = "license_replacement"
    case licenseTransferIn = "license_transfer_in"
    case militaryLicenseExchange = "military_license_exchange"
    case licenseReview = "license_review"
    case medicalCertificateSubmission = "medical_certificate_submission"
    case medicalCheck = "medical_check"
    case ebikeRegistration = "ebike_registration"
    case violationHandling = "violation_handling"
    case finePayment = "fine_payment"
    case documentPhoto = "document_photo"

    /// Position of this code in ``allCases``; its bit in a ``BusinessSet``.
    public var index: Int { Self.indexByCode[self]! }
    private static let indexByCode: [BusinessCode: Int] = Dictionary(
        uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) })

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.index < rhs.index }

    public var category: BusinessCategory {
        switch self {
        case .vehicleRegistration, .vehicleTransfer, .vehicleChange, .vehicleMortgage,
             .vehicleDeregistration, .vehicleTransferIn, .plateReplacement, .permitReplacement,
             .certificateReplacement, .temporaryPlate: .vehicle
        case .vehicleInspection, .inspectionSticker: .inspection
        case .licenseApplication, .examSubject1, .examSubject2, .examSubject3, .examSubject4,
             .licenseRenewal, .licenseReplacement, .licenseTransferIn, .militaryLicenseExchange,
             .licenseReview, .medicalCertificateSubmission, .medicalCheck: .driver
        case .ebikeRegistration: .ebike
        case .violationHandling, .finePayment: .violation
        case .documentPhoto: .other
        }
    }

    public var nameZh: String {
        switch self {
        case .vehicleRegistration: "注册登记"
        case .vehicleTransfer: "转移登记"
        case .vehicleChange: "变更登记"
        case .vehicleMortgage: "抵押/解除抵押"
        case .vehicleDeregistration: "注销登记"
        case .vehicleTransferIn: "转入/转籍"
        case .plateReplacement: "补换领号牌"
        case .permitReplacement: "补换领行驶证"
        case .certificateReplacement: "补领登记证书"
        case .temporaryPlate: "临时号牌"
        case .vehicleInspection: "机动车安全技术检验"
        case .inspectionSticker: "检验合格标志"
        case .licenseApplication: "驾驶证申领"
        case .examSubject1: "科目一"
        case .examSubject2: "科目二"
        case .examSubject3: "科目三"
        case .examSubject4: "科目四"
        case .licenseRenewal: "期满换证"
        case .licenseReplacement: "遗失/损毁补换证"
        case .licenseTransferIn: "转入换证"
        case .militaryLicenseExchange: "军队驾驶证换领"
        case .licenseReview: "审验"
        case .medicalCertificateSubmission: "提交身体条件证明"
        case .medicalCheck: "驾驶人体检"
        case .ebikeRegistration: "电动自行车登记上牌"
        case .violationHandling: "违法处理"
        case .finePayment: "罚款缴纳"
        case .documentPhoto: "证件照"
        }
    }

    public var nameEn: String {
        switch self {
        case .vehicleRegistration: "Vehicle registration"
        case .vehicleTransfer: "Transfer of ownership"
        case .vehicleChange: "Change of registration"
        case .vehicleMortgage: "Mortgage and release"
        case .vehicleDeregistration: "Deregistration"
        case .vehicleTransferIn: "Transfer in from another city"
        case .plateReplacement: "Plate replacement"
        case .permitReplacement: "Driving permit replacement"
        case .certificateReplacement: "Registration certificate replacement"
        case .temporaryPlate: "Temporary plate"
        case .vehicleInspection: "Periodic safety inspection"
        case .inspectionSticker: "Inspection sticker"
        case .licenseApplication: "Driving licence application"
        case .examSubject1: "Exam subject 1 (theory)"
        case .examSubject2: "Exam subject 2 (course)"
        case .examSubject3: "Exam subject 3 (road)"
        case .examSubject4: "Exam subject 4 (safety)"
        case .licenseRenewal: "Licence renewal at expiry"
        case .licenseReplacement: "Licence replacement (lost or damaged)"
        case .licenseTransferIn: "Licence transfer-in"
        case .militaryLicenseExchange: "Military licence exchange"
        case .licenseReview: "Licence review"
        case .medicalCertificateSubmission: "Medical certificate submission"
        case .medicalCheck: "Driver medical check"
        case .ebikeRegistration: "E-bike registration and plates"
        case .violationHandling: "Traffic violation handling"
        case .finePayment: "Fine payment"
        case .documentPhoto: "Document photo"
        }
    }
}

/// A set of business codes as a bit mask: the hot path of hours evaluation tests membership with one AND.
public struct BusinessSet: Hashable, Sendable {
    public var bits: UInt64
    public init(bits: UInt64) { self.bits = bits }
    public init<S: Sequence>(_ codes: S) where S.Element == BusinessCode {
        var b: UInt64 = 0
        for c in codes { b |= 1 << UInt64(c.index) }
        bits = b
    }
    public static let all = BusinessSet(bits: (1 << UInt64(BusinessCode.allCases.count)) - 1)
    public static let none = BusinessSet(bits: 0)
    public func contains(_ code: BusinessCode) -> Bool { bits & (1 << UInt64(code.index)) != 0 }
    /// True when every code of `other` is in this set.
    public func isSuperset(of other: BusinessSet) -> Bool { bits & other.bits == other.bits }
    public var isEmpty: Bool { bits == 0 }
    public var codes: [BusinessCode] { BusinessCode.allCases.filter { contains($0) } }
}
